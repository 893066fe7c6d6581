# unnest-args: --unsafe-fixes
import asyncio


async def val(i):
    await asyncio.sleep(0)
    return i + 1


async def main():
    print("sum", sum(asyncio.run(val(i)) for i in range(3)))
    print("list", list(asyncio.run(val(i)) for i in range(3)))
    print("tuple", tuple(asyncio.run(val(i)) for i in range(2)))
    print("set", sorted(set(asyncio.run(val(i % 2)) for i in range(4))))
    print("sorted", sorted((asyncio.run(val(i)) for i in range(3)), reverse=True))
    print("min", min(asyncio.run(val(i)) for i in range(3)))
    print("max", max(asyncio.run(val(i)) for i in range(3) if i != 2))


asyncio.run(main())
