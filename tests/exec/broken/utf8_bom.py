import asyncio


async def compute(n):
    await asyncio.sleep(0)
    return n * 2


async def main():
    value = asyncio.run(compute(21))
    print("bom value", value)


asyncio.run(main())
