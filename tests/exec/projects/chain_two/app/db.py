import asyncio


async def fetch_rows(table):
    await asyncio.sleep(0)
    return [f"{table}-{i}" for i in range(3)]


def _rows(table):
    rows = asyncio.run(fetch_rows(table))
    return [r.upper() for r in rows]
