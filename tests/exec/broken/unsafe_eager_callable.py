# unnest-args: --unsafe-fixes
import asyncio
from concurrent.futures import ThreadPoolExecutor


async def work(n):
    await asyncio.sleep(0)
    return n * 7


async def main():
    a = await asyncio.to_thread(asyncio.run(work(1)))
    loop = asyncio.get_running_loop()
    b = await loop.run_in_executor(None, asyncio.run(work(2)))
    with ThreadPoolExecutor(max_workers=1) as executor:
        fut = executor.submit(asyncio.run(work(3)))
        c = await asyncio.wrap_future(fut)
    print("results", a, b, c)


asyncio.run(main())
