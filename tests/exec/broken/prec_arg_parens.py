import asyncio


class Lazy:
    def __init__(self, n):
        self.n = n

    async def _combine(self, other):
        await asyncio.sleep(0)
        return self.n + other.n

    def __add__(self, other):
        return self._combine(other)


async def fetch(n):
    await asyncio.sleep(0)
    return n


async def make_coro(n):
    return fetch(n)


async def main():
    cached = None
    flag = False
    ready = True
    a = asyncio.run(cached or fetch(1))
    b = asyncio.run(fetch(2) if flag else fetch(3))
    c = asyncio.run(Lazy(4) + Lazy(5))
    makers = [fetch, lambda n: fetch(n * 100)]
    d = asyncio.run(makers[0](6) if flag else makers[1](7))
    e = asyncio.get_event_loop().run_until_complete(cached or fetch(8))
    f = asyncio.run(fetch(2 + 3 * 4))
    g = asyncio.run(ready and fetch(9))
    h = asyncio.run(await make_coro(10))
    i = asyncio.run(pending := fetch(11))
    print("a", a, "b", b, "c", c, "d", d, "e", e)
    print("f", f, "g", g, "h", h, "i", i)


asyncio.run(main())
