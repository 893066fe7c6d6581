import asyncio

from svc.bridge import rate
from svc.dispatch import bridged, in_threads
from svc.legacy import report


async def main():
    print("threads", await in_threads())
    print("bridged", await bridged())
    print(await report([1, 2, 3]))


print("outside the loop", rate(9))
asyncio.run(main())
