import asyncio


class Box:
    def __init__(self, value):
        self.value = value

    def doubled(self):
        return self.value * 2


async def make_box(n):
    await asyncio.sleep(0)
    return Box(n)


async def make_list():
    return [10, 20, 30]


async def make_adder(k):
    return lambda x: x + k


async def main():
    a = asyncio.run(make_box(5)).value
    b = asyncio.run(make_list())[1]
    c = asyncio.run(make_adder(3))(4)
    d = asyncio.run(make_box(6)).doubled()
    e = asyncio.get_event_loop().run_until_complete(make_list())[-1]
    f = asyncio.run(make_list())[0:2]
    g = asyncio.run(main=make_box(7)).value
    print("a", a, "b", b, "c", c, "d", d, "e", e, "f", f, "g", g)


asyncio.run(main())
