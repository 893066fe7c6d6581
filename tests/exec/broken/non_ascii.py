import asyncio


async def grüßen(name):
    await asyncio.sleep(0)
    return f"héllo {name} ✓"


async def main():
    # commentaire: café ☕
    message = asyncio.run(grüßen("wörld"))  # ünïcode
    print(message)
    résumé = "日本語 " + asyncio.run(grüßen("ß")) + " 😀"
    print(résumé)
    table = {"😀": asyncio.run(grüßen("日本")), "ñ": asyncio.run(grüßen("é")).upper()}
    print(table["😀"], table["ñ"], len(message))


asyncio.run(main())
