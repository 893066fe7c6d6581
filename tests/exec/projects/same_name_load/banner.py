import config
from cache import load as cache_load


async def banner():
    words = [cache_load("greeting"), config.load("target")]
    return " ".join(words)
