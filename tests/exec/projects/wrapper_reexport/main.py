import asyncio

from audit import audit
from greeter import greet


async def main():
    print(await greet(1))
    print(await greet(7))
    print(await audit([2, 3, 9]))


asyncio.run(main())
