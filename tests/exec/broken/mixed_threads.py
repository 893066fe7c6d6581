import asyncio
import threading


async def num(n):
    await asyncio.sleep(0)
    return n


async def main():
    results = []
    t = threading.Thread(target=lambda: results.append(asyncio.run(num("thread"))))
    t.start()
    t.join()

    def blocking():
        return asyncio.run(num("to_thread"))

    results.append(await asyncio.to_thread(blocking))
    results.append(await asyncio.to_thread(asyncio.run, num("callable")))
    results.append(asyncio.run(num("nested")))
    print(results)


asyncio.run(main())
