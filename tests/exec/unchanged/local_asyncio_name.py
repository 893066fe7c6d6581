import asyncio


class Driver:
    """Drives a coroutine that never suspends, like a tiny trio.run."""

    def run(self, coro):
        try:
            coro.send(None)
        except StopIteration as stop:
            return stop.value
        raise RuntimeError("coroutine suspended")


async def instant(n):
    return n + 1


async def with_local():
    asyncio = Driver()
    return asyncio.run(instant(1))


async def with_param(asyncio):
    # Any `.run_until_complete()` counts as a loop's, whatever the receiver;
    # only `.run()` is told apart by what the name is bound to.
    return asyncio.run(instant(2)) + asyncio.run(instant(3))


async def main():
    print("local", await with_local())
    print("param", await with_param(Driver()))


asyncio.run(main())
