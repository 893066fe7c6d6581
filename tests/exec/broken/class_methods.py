import asyncio


class Service:
    def __init__(self, loop):
        self.loop = loop
        self.calls = 0

    async def fetch(self, n):
        await asyncio.sleep(0)
        self.calls += 1
        return n * 2

    async def process(self):
        a = self.loop.run_until_complete(self.fetch(1))
        b = asyncio.run(self.fetch(a))
        return a + b

    @classmethod
    async def build(cls):
        loop = asyncio.get_running_loop()
        svc = cls(loop)
        svc.warm = asyncio.run(svc.fetch(0))
        return svc

    @staticmethod
    async def helper():
        return asyncio.run(asyncio.sleep(0, result="static"))


async def main():
    svc = await Service.build()
    print("process", await svc.process(), "calls", svc.calls, "warm", svc.warm)
    print("helper", await Service.helper())


asyncio.run(main())
