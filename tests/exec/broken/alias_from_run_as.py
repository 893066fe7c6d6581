from asyncio import run as arun
import asyncio


async def square(n):
    await asyncio.sleep(0)
    return n * n


async def main():
    x = arun(square(7))
    y = arun(main=square(x), debug=None)
    z = asyncio.run(square(2))
    print("x", x, "y", y, "z", z)


arun(main())
