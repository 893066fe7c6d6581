import asyncio

RATES = {"EUR": 1.0, "USD": 1.25}


async def fetch_quote(sku, currency="EUR", *, qty=1, discount=0.0):
    await asyncio.sleep(0)
    base = {"pen": 2.0, "book": 12.5}[sku]
    return round(base * qty * RATES[currency] * (1 - discount), 2)


def get_quote(sku, currency="EUR", *, qty=1, discount=0.0):
    """Blocking convenience wrapper around fetch_quote."""
    return asyncio.run(fetch_quote(sku, currency, qty=qty, discount=discount))
