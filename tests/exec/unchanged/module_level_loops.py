import asyncio


async def compute(n):
    await asyncio.sleep(0)
    return n + 1


loop = asyncio.new_event_loop()
first = loop.run_until_complete(compute(1))
second = loop.run_until_complete(compute(first))
loop.close()
print("loop", first, second)

with asyncio.Runner() as runner:
    print("runner", runner.run(compute(10)), runner.run(compute(20)))


class Settings:
    value = asyncio.run(compute(100))


print("class body", Settings.value)
print("lambda", (lambda: asyncio.run(compute(5)))())
