import asyncio
import functools
import sys

import events
import handlers


async def main():
    loop = asyncio.get_running_loop()
    events.finished = asyncio.Event()

    loop.call_soon(handlers.on_start)
    loop.call_later(0.01, handlers.on_tick, 1)
    loop.call_at(loop.time() + 0.02, handlers.on_tick, 2)
    loop.call_soon(functools.partial(handlers.on_tagged, "retries", value=3))

    fut = loop.create_future()
    fut.add_done_callback(handlers.on_done)
    fut.set_result("job-7")

    try:
        await asyncio.wait_for(events.finished.wait(), timeout=2)
    except TimeoutError:
        print("missing results:", sorted(events.RESULTS))
        sys.exit(1)
    for message in sorted(events.RESULTS):
        print(message)


asyncio.run(main())
