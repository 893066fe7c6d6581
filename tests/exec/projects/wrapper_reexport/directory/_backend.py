import asyncio

_PEOPLE = {1: "Ada", 2: "Grace", 3: "Barbara"}


async def fetch_person(pid, default="?"):
    await asyncio.sleep(0)
    return _PEOPLE.get(pid, default)
