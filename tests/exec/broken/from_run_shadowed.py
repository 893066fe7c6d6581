from asyncio import run
import asyncio


async def triple(n):
    await asyncio.sleep(0)
    return n * 3


async def apply(run, value):
    return run(value)


async def local_def():
    def run(v):
        return f"local {v}"
    return run(1)


async def local_assign():
    run = str.upper
    return run("abc")


class Task:
    def run(self, x):
        return x * 2

    async def go(self):
        return self.run(4)


async def main():
    print(await apply(lambda v: v + 1, 1))
    print(await local_def())
    print(await local_assign())
    print(await Task().go())
    print("real", run(triple(2)))


run(main())
