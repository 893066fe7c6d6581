import asyncio
from concurrent.futures import ThreadPoolExecutor


async def fetch(n):
    await asyncio.sleep(0)
    return n * 7


def run_or_default(coro, default):
    try:
        return asyncio.run(coro)
    except RuntimeError:
        coro.close()
        return default


def run_or_thread(coro):
    try:
        return asyncio.run(coro)
    except RuntimeError:
        with ThreadPoolExecutor(1) as ex:
            return ex.submit(asyncio.run, coro).result()


def run_early_exit(coro):
    if asyncio._get_running_loop() is not None:
        with ThreadPoolExecutor(1) as ex:
            return ex.submit(asyncio.run, coro).result()
    return asyncio.run(coro)


async def main():
    print("async", run_or_default(fetch(1), "default"), run_or_thread(fetch(2)), run_early_exit(fetch(3)))


print("sync", run_or_default(fetch(1), "default"), run_or_thread(fetch(2)), run_early_exit(fetch(3)))
asyncio.run(main())
