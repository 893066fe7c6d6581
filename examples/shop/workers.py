"""Correct code that unnest leaves alone."""

import asyncio
import subprocess

from shop.db import fetch_order


def sync_order(order_id):
    # A guarded bridge: asyncio.run only when no loop runs on this thread.
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(fetch_order(order_id))
    raise RuntimeError("sync_order() called from async code; await fetch_order()")


async def order_in_thread(order_id):
    # A worker thread runs no loop, so asyncio.run is right there.
    return await asyncio.to_thread(lambda: asyncio.run(fetch_order(order_id)))


async def git_revision():
    return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True).stdout


if __name__ == "__main__":
    # Module level: no loop runs yet.
    print(asyncio.run(fetch_order(1)))
