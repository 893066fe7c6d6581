import asyncio


async def base(n):
    await asyncio.sleep(0)
    return n


def make_worker(offset):
    async def worker(n):
        return asyncio.run(base(n)) + offset
    return worker


async def main():
    async def inner(n):
        async def innermost():
            return asyncio.run(base(n * 2))
        return asyncio.run(innermost()) + 1

    print("inner", await inner(5))
    worker = make_worker(100)
    print("worker", await worker(1))
    print("gather", await asyncio.gather(inner(1), worker(2)))


asyncio.run(main())
