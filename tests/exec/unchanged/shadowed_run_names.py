import asyncio
from asyncio import run


async def twice(n):
    await asyncio.sleep(0)
    return n * 2


async def with_param(run, value):
    return run(value)


async def with_local():
    run = len
    return run("four")


async def with_local_def():
    def run(x):
        return f"local def {x}"
    return run(1)


async def with_import_shadow():
    from operator import neg as run
    return run(7)


async def main():
    print(await with_param(str, 5), await with_local(), await with_local_def(), await with_import_shadow())


print("top", run(twice(21)))
run(main())
