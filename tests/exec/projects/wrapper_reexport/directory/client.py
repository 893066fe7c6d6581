import asyncio

from ._backend import fetch_person as _fetch


def lookup(pid, default="unknown"):
    """Look a person up, blocking."""
    return asyncio.run(_fetch(pid, default=default))
