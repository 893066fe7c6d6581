import asyncio
import threading


async def work(n):
    await asyncio.sleep(0)
    return n * 3


async def record(results, key, n):
    results[key] = await work(n)


async def main():
    results = {}
    t1 = threading.Thread(target=lambda: results.update(a=asyncio.run(work(1))))

    def target():
        results["b"] = asyncio.run(work(2))

    t2 = threading.Thread(target=target)
    t3 = threading.Thread(target=asyncio.run, args=(record(results, "c", 3),))
    for t in (t1, t2, t3):
        t.start()
        t.join()
    print(sorted(results.items()))


asyncio.run(main())
