import asyncio

from events import record


def on_start():
    asyncio.run(record("start"))


def on_tick(n):
    print(f"tick {n} scheduled")
    asyncio.run(record(f"tick {n}"))


def on_done(fut):
    asyncio.run(record(f"done {fut.result()}"))


def on_tagged(tag, value=0):
    asyncio.run(record(f"{tag}={value}"))
