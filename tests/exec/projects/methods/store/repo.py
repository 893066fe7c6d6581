import asyncio

from .remote import fetch_blob, fetch_schema


class Repository:
    def __init__(self, name):
        self.name = name
        self.items = {}

    def _load(self, key):
        raw = asyncio.run(fetch_blob(key))
        self.items.update(self._decode(raw))
        return len(self.items)

    @staticmethod
    def _decode(raw):
        return dict(part.split("=") for part in raw.split(";"))

    @classmethod
    def _columns(cls):
        cols = asyncio.run(fetch_schema())
        return f"{cls.__name__}{cols}"

    async def refresh(self, key):
        await asyncio.sleep(0)
        count = self._load(key)
        return f"{self.name}: {count} items"

    @classmethod
    async def describe(cls):
        return cls._columns()


class Memory:
    """Same method name, but not blocking: must not be awaited."""

    def __init__(self):
        self.items = {"a": 1}

    def _load(self, key):
        return self.items.get(key, 0)

    async def get(self, key):
        return self._load(key)
