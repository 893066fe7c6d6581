import asyncio

import planner


async def main():
    back, loop_trip = await planner.plan()
    print("back", back)
    print("round trip", loop_trip)
    print("evaluated", planner.LOG)


asyncio.run(main())
