import asyncio

_STOCK = {"apple": 5, "pear": 2, "fig": 0}


async def query_stock(sku):
    await asyncio.sleep(0)
    return _STOCK.get(sku, 0)


def _reserve(sku, qty):
    available = asyncio.run(query_stock(sku))
    if available < qty:
        return False
    _STOCK[sku] = available - qty
    return True
