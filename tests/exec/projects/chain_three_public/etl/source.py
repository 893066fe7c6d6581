import asyncio


async def download(name):
    await asyncio.sleep(0)
    return f"{name}:3,1,2"


def fetch_raw(name):
    """Download one data set (blocking)."""
    text = asyncio.run(download(name))
    return text.split(":", 1)[1]
