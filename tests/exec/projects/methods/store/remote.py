import asyncio


async def fetch_blob(key):
    await asyncio.sleep(0)
    return f"{key}=v1;{key}.meta=m"


async def fetch_schema():
    await asyncio.sleep(0)
    return ("key", "value")
