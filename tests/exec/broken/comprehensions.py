import asyncio


async def sq(n):
    await asyncio.sleep(0)
    return n * n


async def make_list():
    return [3, 1, 2]


async def agen(n):
    for i in range(n):
        yield i


async def main():
    squares = [asyncio.run(sq(i)) for i in range(4)]
    uniq = {asyncio.run(sq(i % 2)) for i in range(4)}
    table = {i: asyncio.run(sq(i)) for i in range(3)}
    keyed = {asyncio.run(sq(i)): i for i in range(3)}
    filtered = [i for i in range(5) if asyncio.run(sq(i)) > 4]
    source = [i * 2 for i in asyncio.run(make_list())]
    inner = [j for i in range(2) for j in asyncio.run(make_list())[:i + 1]]
    from_async = [asyncio.run(sq(i)) async for i in agen(3)]
    nested = [[asyncio.run(sq(i + j)) for j in range(2)] for i in range(2)]
    print(squares, sorted(uniq), table, keyed, filtered)
    print(source, inner, from_async, nested)


asyncio.run(main())
