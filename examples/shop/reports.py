"""Reports: findings that need a decision from you, and unsafe fixes."""

import asyncio

from shop.db import fetch_order, render_pdf


async def monthly_report(order_ids):
    # A generator expression: `await` would make it an async generator, so the
    # fix (to a list comprehension) is unsafe and needs --unsafe-fixes.
    return sum(asyncio.run(fetch_order(i))["amount"] for i in order_ids)


async def export(order_id):
    def render():
        # A sync helper defined in an async function and only called there:
        # unnest makes it async and awaits its call.
        return asyncio.run(render_pdf(order_id))

    return render()


async def export_in_background(order_id):
    # The call runs now, and to_thread() receives its result, not a callable.
    return await asyncio.to_thread(asyncio.run(render_pdf(order_id)))
