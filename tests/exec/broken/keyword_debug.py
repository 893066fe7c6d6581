import asyncio


async def value(n):
    await asyncio.sleep(0)
    return n + 1


async def main():
    a = asyncio.run(main=value(1))
    b = asyncio.run(value(2), debug=False)
    c = asyncio.run(value(3), debug=None)
    d = asyncio.run(main=value(4), debug=False)
    e = asyncio.run(debug=None, main=value(5))
    f = asyncio.run(value(6),)
    g = asyncio.run(value(7), debug=False,)
    print("values", a, b, c, d, e, f, g)


asyncio.run(main())
