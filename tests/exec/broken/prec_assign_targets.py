import asyncio


class Holder:
    def __init__(self):
        self.x = 0
        self.items = {"a": 1, "b": 2}


HOLDER = Holder()
TABLE = {"keep": 1, "drop": 2}


async def get_holder():
    await asyncio.sleep(0)
    return HOLDER


async def get_table():
    return TABLE


async def main():
    asyncio.run(get_holder()).x = 5
    asyncio.run(get_holder()).items["c"] = 3
    del asyncio.run(get_holder()).items["a"]
    asyncio.run(get_holder()).x += 1
    asyncio.run(get_table())["new"] = 3
    del asyncio.run(get_table())["drop"]
    print("x", HOLDER.x, "items", sorted(HOLDER.items.items()))
    print("table", sorted(TABLE.items()))


asyncio.run(main())
