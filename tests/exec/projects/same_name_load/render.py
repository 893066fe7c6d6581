import cache
from config import load


async def render(key):
    local = load(key)
    remote = cache.load(key)
    return f"{key}: local={local} remote={remote}"
