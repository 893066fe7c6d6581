import asyncio

from conf.loader import load_config


async def start(env):
    await asyncio.sleep(0)
    cfg = load_config(env, strict=True)
    return f"server {env} with {cfg['workers']} workers"


async def reload(env):
    return load_config(env).get("workers", 0)
