import asyncio as aio


async def double(n):
    await aio.sleep(0)
    return n * 2


async def main():
    a = aio.run(double(21))
    b = aio.get_event_loop().run_until_complete(double(a))
    c = aio.run(main=double(b))
    print("a", a, "b", b, "c", c)


aio.run(main())
