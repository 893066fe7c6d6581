import asyncio

from shop.orders import place_order
from shop.returns import hold_for_exchange


async def main():
    print(await place_order("apple", 3))
    print(await place_order("pear", 5))
    print(await hold_for_exchange("pear"))
    print(await hold_for_exchange("fig"))


if __name__ == "__main__":
    asyncio.run(main())
