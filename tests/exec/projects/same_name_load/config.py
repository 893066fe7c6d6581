import asyncio  # used by nothing here; present so that the file is parsed

_LOCAL = {"greeting": "hi", "target": "there"}


def load(key):
    return _LOCAL[key]


async def reload():
    return load("greeting")
