import asyncio

from .store import _reserve


async def place_order(sku, qty):
    await asyncio.sleep(0)
    if _reserve(sku, qty):
        return f"order {sku} x{qty}: ok"
    return f"order {sku} x{qty}: out of stock"
