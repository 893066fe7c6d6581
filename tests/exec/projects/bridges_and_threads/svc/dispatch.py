import asyncio
import functools
import threading
from concurrent.futures import ThreadPoolExecutor

from .bridge import outer_rate, rate, rate_or_cached
from .compute import crunch, crunch_all, crunch_into


async def in_threads():
    loop = asyncio.get_running_loop()
    a = await asyncio.to_thread(crunch, 1)
    b = await loop.run_in_executor(None, crunch, 2)
    c = await loop.run_in_executor(None, functools.partial(crunch, 3))
    results = []
    worker = threading.Thread(target=crunch_into, args=(results, 4))
    worker.start()
    worker.join()
    with ThreadPoolExecutor(max_workers=1) as pool:
        d = pool.submit(crunch, 5).result()
        e = await asyncio.wrap_future(pool.submit(crunch_all, [6, 7]))
    return [a, b, c, results[0], d, e]


async def bridged():
    return [rate(7), rate_or_cached(7), rate(8), outer_rate(7)]
