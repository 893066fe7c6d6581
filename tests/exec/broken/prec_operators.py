import asyncio


async def num(n):
    await asyncio.sleep(0)
    return n


async def flag(b):
    return b


async def main():
    a = -asyncio.run(num(5))
    b = not asyncio.run(flag(False))
    c = asyncio.run(num(3)) ** 2
    d = 2 ** asyncio.run(num(4))
    e = asyncio.run(num(1)) + asyncio.run(num(2)) * 3
    f = asyncio.run(num(7)) > 5
    g = asyncio.run(flag(True)) and asyncio.run(flag(False))
    h = asyncio.run(num(0)) or asyncio.run(num(9))
    i = asyncio.run(num(1)) if asyncio.run(flag(True)) else asyncio.run(num(2))
    j = ~asyncio.run(num(0))
    k = 3 < asyncio.run(num(4)) <= 4
    m = asyncio.run(num(10)) in [10, 20]
    n = asyncio.run(num(None)) is None
    o = -asyncio.run(num(3)) ** 2
    p = +asyncio.run(num(-2)) % 5
    print(a, b, c, d, e, f, g, h)
    print(i, j, k, m, n, o, p)


asyncio.run(main())
