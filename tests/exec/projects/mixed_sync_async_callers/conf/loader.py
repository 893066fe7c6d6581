import asyncio

_FILES = {"base": {"workers": 2}, "prod": {"workers": 8}}


async def read_config(name, strict=False):
    await asyncio.sleep(0)
    if strict and name not in _FILES:
        raise KeyError(name)
    return dict(_FILES.get(name, {}))


def load_config(name, strict=False):
    return asyncio.run(read_config(name, strict))
