# unnest-args: --unsafe-fixes
import asyncio

try:
    import nest_asyncio
    nest_asyncio.apply()
except ImportError:
    pass


async def work():
    await asyncio.sleep(0)
    return "worked"


async def main():
    print(asyncio.run(work()))


if __name__ == "__main__":
    asyncio.run(main())
