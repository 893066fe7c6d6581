import asyncio


async def num(n):
    await asyncio.sleep(0)
    return n


async def get_total():
    return asyncio.run(num(40)) + 2


async def direct():
    return asyncio.run(num(7))


async def pair():
    return asyncio.run(num(1)), asyncio.run(num(2))


async def agen():
    yield asyncio.run(num(1))
    yield asyncio.get_event_loop().run_until_complete(num(2))
    for i in range(3, 5):
        yield asyncio.run(num(i)) * 10


async def main():
    print("total", await get_total())
    print("direct", await direct())
    print("pair", await pair())
    print("gen", [x async for x in agen()])


asyncio.run(main())
