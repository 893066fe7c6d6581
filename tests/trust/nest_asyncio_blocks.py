# unnest-args: --unsafe-fixes
import asyncio


async def work():
    await asyncio.sleep(0)
    return "worked"


async def main():
    print(asyncio.run(work()))


def patch():
    try:
        import nest_asyncio
    except ImportError:
        pass
    else:
        nest_asyncio.apply()
    return "patch tried"


if __name__ == "__main__":
    print(patch())
    asyncio.run(main())
