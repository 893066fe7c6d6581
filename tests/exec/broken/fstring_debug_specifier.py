import asyncio


async def items():
    await asyncio.sleep(0)
    return [1, 2, 3]


async def main():
    # The "=" specifier echoes the expression text, so the output shows the rewrite.
    print(f"{asyncio.run(items())=}")
    print(f"total={sum(asyncio.run(items()))}")


asyncio.run(main())
