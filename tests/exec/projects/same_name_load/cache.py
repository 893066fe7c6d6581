import asyncio

_REMOTE = {"greeting": "hello", "target": "world"}


async def fetch(key):
    await asyncio.sleep(0)
    return _REMOTE[key]


def load(key):
    value = asyncio.run(fetch(key))
    return value.upper()
