import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor


async def work(n):
    await asyncio.sleep(0)
    return n * 5


async def main():
    loop = asyncio.get_running_loop()
    a = await loop.run_in_executor(None, lambda: asyncio.run(work(1)))
    b = await loop.run_in_executor(None, functools.partial(asyncio.run, work(2)))
    c = await loop.run_in_executor(None, asyncio.run, work(3))
    d = await asyncio.to_thread(asyncio.run, work(4))
    with ThreadPoolExecutor(max_workers=1) as pool:
        e = await asyncio.wrap_future(pool.submit(asyncio.run, work(5)))
        f = await loop.run_in_executor(pool, lambda: asyncio.new_event_loop().run_until_complete(work(6)))
    print("results", a, b, c, d, e, f)


asyncio.run(main())
