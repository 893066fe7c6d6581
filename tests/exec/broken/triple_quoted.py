import asyncio


async def render(template):
    await asyncio.sleep(0)
    return template.upper()


async def main():
    """Docstring that mentions asyncio.run(main()) and must stay as is.
        indented docstring line
    """
    header = """first line
    indented line
  less indented
"""
    if True:
        body = asyncio.run(render("""
        keep
            this
        exactly
"""))
        print(repr(header))
        print(repr(body))
        doc = asyncio.run(
            render(
                '''a
  b'''
            )
        )
        print(repr(doc))
    print(repr(main.__doc__))


asyncio.run(main())
