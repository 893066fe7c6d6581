import asyncio

import weather.api as wx


async def describe(city):
    await asyncio.sleep(0)
    c = wx.temperature(city)
    f = wx.temperature(city, unit="F", precision=1)
    return f"{city}: {c}C / {f}F"
