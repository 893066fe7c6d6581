import asyncio

from conf.loader import load_config
from conf.settings import BASE
import server


def preflight():
    # A sync caller outside any loop: must keep working.
    return load_config("prod")["workers"]


async def main():
    print(await server.start("prod"))
    print("reload", await server.reload("missing"))


print("base", BASE)
print("preflight", preflight())
asyncio.run(main())
