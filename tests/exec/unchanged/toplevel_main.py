import asyncio


async def main():
    await asyncio.sleep(0)
    print("main ran")
    return 3


result = asyncio.run(main())
print("result", result)

if __name__ == "__main__":
    print("again", asyncio.run(main(), debug=False))
    print("keyword", asyncio.run(main=main()))
