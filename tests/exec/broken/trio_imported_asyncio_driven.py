import asyncio
import sys

try:
    import trio
except ImportError:
    trio = None


async def fetch(n):
    await asyncio.sleep(0)
    return n * 2


async def shared():
    return asyncio.run(fetch(2))


async def main():
    print("asyncio", asyncio.run(fetch(1)), await shared())


async def trio_main():
    print("trio", asyncio.run(fetch(3)), await shared())


if __name__ == "__main__":
    if "--trio" in sys.argv:
        trio.run(trio_main)
    else:
        asyncio.run(main())
