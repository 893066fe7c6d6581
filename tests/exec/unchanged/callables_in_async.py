import asyncio


async def fetch(n):
    await asyncio.sleep(0)
    return n - 1


async def main():
    make = lambda n: asyncio.run(fetch(n))
    runner = asyncio.run
    print("lambda in thread", await asyncio.to_thread(make, 10))
    print("alias in thread", await asyncio.to_thread(runner, fetch(20)))

    class Helper:
        @staticmethod
        def sync_get(n):
            return asyncio.run(fetch(n))

    print("method in thread", await asyncio.to_thread(Helper.sync_get, 30))


asyncio.run(main())
