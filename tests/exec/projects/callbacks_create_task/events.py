import asyncio

RESULTS = []
EXPECTED = 5
finished = None  # an asyncio.Event, created by main() on the running loop


async def record(message):
    await asyncio.sleep(0)
    RESULTS.append(message)
    if len(RESULTS) == EXPECTED:
        finished.set()
