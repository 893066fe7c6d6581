import asyncio


async def num(n):
    await asyncio.sleep(0)
    return n


async def quick(): return asyncio.run(num("quick"))


async def main():
    x = asyncio.run(num(1)); y = asyncio.run(num(2))
    if x < y: print("ordered", asyncio.run(num(x + y)))
    for i in range(2): print("loop", asyncio.run(num(i)))
    print(await quick())


asyncio.run(main())
