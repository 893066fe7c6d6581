import asyncio


async def fetch(n):
    await asyncio.sleep(0)
    return n + 100


async def main():
    def blocking(n):
        return asyncio.run(fetch(n))

    def with_own_loop(n):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(fetch(n))
        finally:
            loop.close()

    a = await asyncio.to_thread(blocking, 1)
    b = await asyncio.to_thread(with_own_loop, 2)
    print("results", a, b)


asyncio.run(main())
