import asyncio


async def square(n):
    await asyncio.sleep(0)
    return n * n


async def run_batch(numbers):
    def compute(n):
        # A nested helper that runs its own loop: fails inside run_batch.
        value = asyncio.run(square(n))
        return value + 1

    def label(n):
        return f"{n}->{compute(n)}"

    results = []
    for n in numbers:
        results.append(label(n))
    return ", ".join(results)
