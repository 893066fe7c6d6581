import asyncio
import functools

LOG = []


def traced(label):
    def deco(fn):
        @functools.wraps(fn)
        async def wrapper(*args, **kwargs):
            LOG.append(f"enter {label}")
            result = await fn(*args, **kwargs)
            LOG.append(f"exit {label}")
            return result
        return wrapper
    return deco


def plain(fn):
    fn.marked = True
    return fn


async def add(a, b):
    await asyncio.sleep(0)
    return a + b


@traced("outer")
@plain
async def handler(x):
    return asyncio.run(add(x, 1))


class Api:
    @traced("method")
    async def get(self, x):
        return asyncio.run(add(x, 100))


async def main():
    print("handler", await handler(41), handler.__name__, handler.marked)
    print("method", await Api().get(1))
    print("log", LOG)


asyncio.run(main())
