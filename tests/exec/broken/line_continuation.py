import asyncio


async def compute(n):
    await asyncio.sleep(0)
    return n * 2


async def main():
    a = asyncio \
        .run(compute(1))
    b = asyncio.run \
        (compute(2))
    c = 1 + \
        asyncio.run(compute(3))
    d = asyncio.get_event_loop() \
        .run_until_complete(compute(4))
    print(a, b, c, d)


asyncio.run(main())
