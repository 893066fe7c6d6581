import asyncio


async def compute(n):
    await asyncio.sleep(0)
    return n * 100


async def main():
    result = asyncio.run(  # fetch
        compute(2),  # the work
        debug=False,
    )
    print("result", result)
    other = asyncio.run(
        # leading comment
        compute(
            3  # inner arg
        )
    )
    print("other", other)
    loop = asyncio.get_event_loop()
    third = loop.run_until_complete(
        compute(4)
    )  # trailing
    print("third", third)
    fourth = (
        asyncio.run(main=compute(5))  # parenthesised
        + 1
    )
    print("fourth", fourth)
    fifth = asyncio.run(
        main=compute(6),  # keyword
        debug=None,  # dropped
    ).bit_length()
    print("fifth", fifth)


asyncio.run(main())
