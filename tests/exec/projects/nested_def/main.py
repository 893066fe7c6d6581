import asyncio

from jobs import run_batch


async def main():
    print(await run_batch([1, 2, 3]))


asyncio.run(main())
