import asyncio


async def items():
    await asyncio.sleep(0)
    return [1, 2, 3]


async def mapping():
    return {"x": 1, "y": 2}


async def word(w):
    return w.upper()


def show(*args, **kwargs):
    return f"{args} {sorted(kwargs.items())}"


async def main():
    merged = [0, *asyncio.run(items()), 4]
    first, *rest = [*asyncio.run(items())]
    print(merged, first, rest)
    print(show(*asyncio.run(items()), **asyncio.run(mapping())))
    combined = {**asyncio.run(mapping()), "z": 3}
    print(sorted(combined.items()))
    print(f"word={asyncio.run(word('hi'))} n={asyncio.run(items())[0]:>3}")
    print(f"{asyncio.run(word('a'))!r}")
    s = {*asyncio.run(items())}
    print(sorted(s))
    t = *asyncio.run(items()), 9
    print(t)


asyncio.run(main())
