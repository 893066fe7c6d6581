import asyncio


async def compute(n):
    await asyncio.sleep(0)
    return n * 3


async def main():
    a = asyncio.run(compute(1))
    b = asyncio.run(  # crlf comment
        compute(2),
        debug=False,
    )
    text = """line one
line two"""
    print("a", a, "b", b, "lines", len(text.splitlines()))


asyncio.run(main())
