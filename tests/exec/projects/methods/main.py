import asyncio

from store.repo import Memory, Repository


async def main():
    repo = Repository("users")
    print(await repo.refresh("alice"))
    print(sorted(repo.items))
    print(await Repository.describe())
    print("memory", await Memory().get("a"))


asyncio.run(main())
