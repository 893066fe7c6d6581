import asyncio


async def fetch(name):
    await asyncio.sleep(0)
    return f"<{name}>"


class Resource:
    def __init__(self, name):
        self.name = name
        self.events = []

    async def __aenter__(self):
        self.handle = asyncio.run(fetch(self.name))
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.events.append(asyncio.get_event_loop().run_until_complete(fetch("closed")))
        return False


class Countdown:
    def __init__(self, n):
        self.n = n

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.n == 0:
            raise StopAsyncIteration
        self.n -= 1
        return asyncio.run(fetch(self.n))


async def main():
    async with Resource("db") as res:
        print("inside", res.handle)
    print("events", res.events)
    print("countdown", [x async for x in Countdown(3)])


asyncio.run(main())
