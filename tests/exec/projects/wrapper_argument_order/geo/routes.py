import asyncio


async def route(origin, destination):
    await asyncio.sleep(0)
    return f"{origin}->{destination}"


def reverse_route(origin, destination):
    """Parameters reach the coroutine in the other order."""
    return asyncio.run(route(destination, origin))


def round_trip(city):
    """One parameter used twice."""
    return asyncio.run(route(city, city))
