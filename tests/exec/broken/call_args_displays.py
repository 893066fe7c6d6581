import asyncio


async def num(n):
    await asyncio.sleep(0)
    return n


def describe(a, b, *, scale=1):
    return (a + b) * scale


async def main():
    print("call", describe(asyncio.run(num(1)), asyncio.run(num(2)), scale=asyncio.run(num(3))))
    as_list = [asyncio.run(num(4)), asyncio.run(num(5))]
    as_dict = {"k": asyncio.run(num(6)), asyncio.run(num(7)): "v"}
    as_tuple = (asyncio.run(num(8)),)
    as_set = {asyncio.run(num(9))}
    total = 0
    total += asyncio.run(num(10))
    total *= asyncio.get_event_loop().run_until_complete(num(2))
    nested = max(asyncio.run(num(11)), min(asyncio.run(num(12)), 100))
    print(as_list, as_dict, as_tuple, as_set, "total", total, "nested", nested)
    print("slice", list(range(10))[asyncio.run(num(2)):asyncio.run(num(5))])


asyncio.run(main())
