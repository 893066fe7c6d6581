import asyncio


async def lookup(key):
    await asyncio.sleep(0)
    return {"a": 1, "b": [2, 3]}.get(key)


async def main():
    if (found := asyncio.run(lookup("a"))) is not None:
        print("found", found)
    values = [y for k in "abc" if (y := asyncio.run(lookup(k)))]
    print("values", values, "last", y)
    for key in ["a", "b", "c"]:
        match asyncio.run(lookup(key)):
            case int(n):
                print(key, "int", n)
            case [first, *others]:
                print(key, "list", first, others)
            case None:
                print(key, "missing")
    match asyncio.run(lookup("a")), asyncio.run(lookup("c")):
        case (1, None):
            print("tuple subject ok")


asyncio.run(main())
