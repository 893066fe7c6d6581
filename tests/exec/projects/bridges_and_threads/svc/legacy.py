import asyncio

from .compute import compute


def _total(numbers):
    values = [asyncio.run(compute(n)) for n in numbers]
    return sum(values)


async def report(numbers):
    return f"total {_total(numbers)}"
