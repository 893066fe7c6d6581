import asyncio


async def compute():
    await asyncio.sleep(0)
    return "computed"


async def main():
    entry_points = {"run": asyncio.run, "ruc": asyncio.new_event_loop().run_until_complete}
    print(sorted(entry_points))
    print(asyncio.run.__name__, callable(asyncio.run))
    print(await compute())
    entry_points["ruc"].__self__.close()


asyncio.run(main())
