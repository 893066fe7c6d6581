import asyncio
from concurrent.futures import ThreadPoolExecutor


async def fetch(n):
    await asyncio.sleep(0)
    return n * 10


def run_sync(coro):
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def run_sync_private(coro):
    if asyncio._get_running_loop() is None:
        return asyncio.run(coro)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def main():
    print("from async", run_sync(fetch(1)), run_sync_private(fetch(2)))


print("from sync", run_sync(fetch(3)), run_sync_private(fetch(4)))
asyncio.run(main())
