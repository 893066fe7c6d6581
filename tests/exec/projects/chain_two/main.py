import asyncio

from app.service import handle


async def main():
    for table in ("users", "orders"):
        print(await handle(table))


asyncio.run(main())
