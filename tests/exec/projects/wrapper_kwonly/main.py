import asyncio

from checkout import basket_total, usd_quote


async def main():
    print("total", await basket_total([("pen", 3), ("book", 2)]))
    print("book in USD", await usd_quote("book"))


asyncio.run(main())
