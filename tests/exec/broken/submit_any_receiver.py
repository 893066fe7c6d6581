# unnest-args: --unsafe-fixes
import asyncio
from concurrent.futures import ThreadPoolExecutor


async def work(n):
    await asyncio.sleep(0)
    return n * 3


async def main():
    with ThreadPoolExecutor(max_workers=1) as ex:
        fut = ex.submit(asyncio.run(work(1)))
        print("ex", await asyncio.wrap_future(fut))
    jobs = ThreadPoolExecutor(max_workers=1)
    fut = jobs.submit(asyncio.run(work(2)))
    print("jobs", await asyncio.wrap_future(fut))
    jobs.shutdown()


asyncio.run(main())
