import asyncio

from banner import banner
from config import reload
from render import render


async def main():
    print(await render("greeting"))
    print(await render("target"))
    print(await banner())
    print("reload", await reload())


asyncio.run(main())
