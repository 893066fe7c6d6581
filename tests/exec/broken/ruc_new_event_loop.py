import asyncio


async def fetch(n):
    await asyncio.sleep(0)
    return n + 0.5


async def main():
    value = asyncio.new_event_loop().run_until_complete(fetch(1))
    fresh = asyncio.new_event_loop()
    other = fresh.run_until_complete(fetch(2))
    fresh.close()
    print("values", value, other)


asyncio.run(main())
