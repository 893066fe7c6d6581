import asyncio

import trio


async def fetch(n):
    await asyncio.sleep(0)
    return n * 2


def fetch_sync(n):
    return asyncio.run(fetch(n))


async def step(n):
    await trio.sleep(0)
    return asyncio.run(fetch(n))


async def main():
    first = asyncio.run(fetch(1))
    second = await step(2)
    third = fetch_sync(3)
    print("trio", first, second, third)


if __name__ == "__main__":
    trio.run(main)
