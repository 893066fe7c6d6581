import asyncio
import subprocess
import sys


async def square(n):
    await asyncio.sleep(0)
    return n * n


class Job:
    def __init__(self, name):
        self.name = name

    def run(self):
        return f"job {self.name} ran"

    async def start(self):
        return self.run() + " / " + str(asyncio.run(square(3)))


def run(x):
    return f"module run {x}"


async def uses_module_run():
    return run(5)


async def uses_subprocess():
    proc = subprocess.run([sys.executable, "-c", "print('child ok')"], capture_output=True, text=True)
    return proc.stdout.strip()


async def main():
    print(await Job("a").start())
    print(await uses_module_run())
    print(await uses_subprocess())
    print("real", asyncio.run(square(4)))


asyncio.run(main())
