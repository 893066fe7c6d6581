import asyncio


async def main():
    """Never call asyncio.run(main()) from here; loop.run_until_complete(x) either."""
    # asyncio.run(main()) would fail here
    text = "asyncio.run(main())"
    other = 'loop.run_until_complete(main())'
    block = """
    asyncio.run(
        main()
    )
    """
    raw = r"aio.run(main=x)"
    fmt = f"{'asyncio.run(main())'}"
    print(text, other, raw, fmt)
    print(len(block.splitlines()))  # asyncio.get_event_loop().run_until_complete(f())


asyncio.run(main())  # asyncio.run(main())
