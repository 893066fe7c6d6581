import asyncio


async def chain(n):
    await asyncio.sleep(0)
    # Each level hands back the coroutine of the next, which the run around
    # it runs: twelve runs, one in another, for twelve levels.
    return chain(n - 1) if n else "done after twelve"


async def main():
    print(asyncio.run(asyncio.run(asyncio.run(asyncio.run(asyncio.run(asyncio.run(asyncio.run(asyncio.run(asyncio.run(asyncio.run(asyncio.run(asyncio.run(chain(11))))))))))))))


asyncio.run(main())
