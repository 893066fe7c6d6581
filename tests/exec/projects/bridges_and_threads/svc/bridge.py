import asyncio

from .compute import compute

_CACHE = {7: 700}


def rate(n):
    """Guarded bridge: runs a loop only when none is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(compute(n))
    return _CACHE.get(n, -1)


def rate_or_cached(n):
    if asyncio._get_running_loop() is None:
        return asyncio.run(compute(n))
    return _CACHE.get(n, -1)


def outer_rate(n):
    # Calls a guarded bridge: the chain is broken here too.
    return rate(n) + 1
