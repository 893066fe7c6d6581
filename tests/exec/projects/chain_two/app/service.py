import asyncio

from . import report


async def handle(table):
    await asyncio.sleep(0)
    return report._summary(table)
