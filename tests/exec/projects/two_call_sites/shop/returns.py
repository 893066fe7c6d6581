import asyncio

import shop.store as st


async def hold_for_exchange(sku):
    await asyncio.sleep(0)
    ok = st._reserve(sku, 1)
    return f"exchange {sku}: {'held' if ok else 'none left'}"
