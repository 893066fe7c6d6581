import asyncio


async def compute(n):
    await asyncio.sleep(0)
    return n * 100


def crunch(n):
    """Blocking: only ever run in a worker thread, where no loop runs."""
    return asyncio.run(compute(n))


def crunch_into(results, n):
    results.append(crunch(n))


def crunch_all(numbers):
    return [crunch(n) for n in numbers]
