import asyncio
import asyncio as aio
from asyncio import run


async def fetch(n):
    await asyncio.sleep(0)
    return n * 2


def load(n):
    return asyncio.run(fetch(n))


def load_with_loop(n):
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(fetch(n))
    finally:
        loop.close()


def load_alias(n):
    return aio.run(fetch(n)) + run(fetch(n))


class Client:
    def get(self, n):
        return asyncio.run(fetch(n))


def main():
    print(load(1), load_with_loop(2), load_alias(3), Client().get(4))


main()
