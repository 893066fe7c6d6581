import asyncio
import contextlib


async def num(n):
    await asyncio.sleep(0)
    return n


async def agen():
    for i in range(2):
        yield i


async def worker(n):
    return asyncio.run(num(n)) * 2


async def main():
    for x in asyncio.run(num([1, 2])):
        print("for", x)
    count = 0
    while asyncio.run(num(count)) < 2:
        count += 1
    print("while", count)
    if asyncio.run(num(True)):
        print("if ok")
    elif asyncio.run(num(False)):
        print("unreachable")
    assert asyncio.run(num(1)) == 1, asyncio.run(num("msg"))
    try:
        raise ValueError(asyncio.run(num("boom")))
    except ValueError as exc:
        print("caught", exc)
    finally:
        print("finally", asyncio.run(num("f")))
    with contextlib.nullcontext(asyncio.run(num("ctx"))) as c:
        print("with", c)
    async for i in agen():
        print("async for", asyncio.run(num(i)))
    print("gather", await asyncio.gather(worker(1), worker(2)))
    print("task", await asyncio.create_task(worker(5)))


asyncio.run(main())
