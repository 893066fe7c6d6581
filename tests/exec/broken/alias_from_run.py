from asyncio import run, sleep


async def greet(name):
    await sleep(0)
    return f"hello {name}"


async def main():
    msg = run(greet("world"))
    print(msg)
    print(run(greet("again")))
    print(run(main=greet("keyword")))


run(main())
