# unnest-args: --unsafe-fixes
import asyncio


async def make_list():
    await asyncio.sleep(0)
    return [1, 2, 3]


async def main():
    # Only the outermost iterable holds the nested run: it is evaluated in
    # main's scope, so "await" there keeps the generator expression synchronous.
    print("sum", sum(x * 2 for x in asyncio.run(make_list())))
    print("any", any(x > 2 for x in asyncio.run(make_list())))


asyncio.run(main())
