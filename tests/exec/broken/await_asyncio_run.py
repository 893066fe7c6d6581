import asyncio
import asyncio as aio
from asyncio import run


async def answer():
    await asyncio.sleep(0)
    return 42


async def main():
    a = await asyncio.run(answer())
    b = await aio.run(answer())
    c = await run(main=answer())
    await asyncio.run(answer())
    d = await asyncio.run(answer(), debug=False) + 1
    print("answers", a, b, c, d)


asyncio.run(main())
