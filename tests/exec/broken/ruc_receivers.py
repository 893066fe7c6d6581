# unnest-args: --unsafe-fixes
# (`get_loop("main")` is a call of our own: dropping it is an unsafe fix)
import asyncio


class Holder:
    def __init__(self, loop):
        self.loop = loop


def get_loop(name):
    return asyncio.get_event_loop()


async def fetch(n):
    await asyncio.sleep(0)
    return n * 3


async def main():
    loop = asyncio.get_event_loop()
    a = loop.run_until_complete(fetch(1))
    b = asyncio.get_event_loop().run_until_complete(fetch(2))
    c = asyncio.new_event_loop().run_until_complete(fetch(3))
    d = asyncio.get_running_loop().run_until_complete(fetch(4))
    loops = [loop]
    e = loops[0].run_until_complete(fetch(5))
    holder = Holder(loop)
    f = holder.loop.run_until_complete(fetch(6))
    g = get_loop("main").run_until_complete(fetch(7))
    print("results", a, b, c, d, e, f, g)


asyncio.run(main())
