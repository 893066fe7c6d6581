import asyncio

_TEMPS = {"oslo": -3, "rome": 18, "lima": 22}


async def fetch_temperature(city, unit="C", precision=0):
    await asyncio.sleep(0)
    celsius = _TEMPS[city]
    value = celsius if unit == "C" else celsius * 9 / 5 + 32
    return round(value, precision)


def temperature(city, unit="C", precision=0):
    """Return the temperature of a city, blocking."""
    return asyncio.run(fetch_temperature(city, unit, precision))
