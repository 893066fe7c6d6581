import asyncio

import forecast


async def main():
    for city in ("oslo", "rome", "lima"):
        print(await forecast.describe(city))


if __name__ == "__main__":
    asyncio.run(main())
