import asyncio


async def compute(n):
    await asyncio.sleep(0)
    return n * 10


async def main():
    result = asyncio.run(compute(3))
    print("result", result)
    asyncio.run(compute(4))
    print("bare statement done")
    print("printed", asyncio.run(compute(5)))
    annotated: int = asyncio.run(compute(6))
    print("annotated", annotated)


if __name__ == "__main__":
    asyncio.run(main())
