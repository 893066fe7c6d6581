import asyncio


async def compute(n):
	await asyncio.sleep(0)
	return n + 1


async def main():
	total = 0
	for i in range(3):
		if i % 2 == 0:
			total += asyncio.run(compute(i))
		else:
			total += asyncio.run(
				compute(i * 10)
			)
	print("total", total)


asyncio.run(main())
