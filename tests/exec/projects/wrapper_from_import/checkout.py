import asyncio

from pricing.quotes import get_quote


async def basket_total(items):
    total = 0.0
    for sku, qty in items:
        total += get_quote(sku, qty=qty)
    await asyncio.sleep(0)
    return round(total, 2)


async def usd_quote(sku):
    return get_quote(sku, "USD", discount=0.2)
