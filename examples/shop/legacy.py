"""Sync helpers from before the service went async. The CLI still uses them."""

import asyncio

from shop.db import fetch_user


def load_user(user_id):
    """Load a user from sync code."""
    return asyncio.run(fetch_user(user_id))


def _user_names(ids):
    return [asyncio.run(fetch_user(i))["name"] for i in ids]
