"""A stand-in database layer."""

import asyncio


async def fetch_user(user_id):
    await asyncio.sleep(0)
    return {"id": user_id, "name": f"user{user_id}"}


async def fetch_order(order_id):
    await asyncio.sleep(0)
    return {"id": order_id, "status": "paid", "amount": 10 * order_id}


async def list_prices(items):
    await asyncio.sleep(0)
    return [len(item) for item in items]


async def render_pdf(order_id):
    await asyncio.sleep(0)
    return b"%PDF-" + str(order_id).encode()
