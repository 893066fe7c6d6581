"""HTTP handlers of a small shop service. Each handler runs on the server's
event loop, so every nested run below raises RuntimeError today."""

import asyncio
import asyncio as aio

from shop.db import fetch_order, fetch_user, list_prices


async def get_user(request):
    # The classic: a sync call pattern pasted into an async handler.
    user = asyncio.run(fetch_user(request["user_id"]))
    return {"name": user["name"]}


async def get_order(request):
    loop = asyncio.get_event_loop()
    order = loop.run_until_complete(fetch_order(request["order_id"]))
    # Precedence: the attribute applies to the awaited value.
    status = aio.run(fetch_order(request["order_id"])).get("status")
    return {"order": order, "status": status}


async def get_total(request):
    total = asyncio.run(  # fetch every price
        list_prices(request["items"]),  # one query
        debug=False,
    )
    return {"total": sum(total)}


async def get_profile(request):
    # The nested run hides in a helper of another module: unnest follows the
    # call and inlines the thin wrapper.
    from shop.legacy import load_user

    return {"user": load_user(request["user_id"])}
