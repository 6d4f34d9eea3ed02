import asyncio

async def fetch(i):
    await asyncio.sleep(0.01 * (3 - i))
    return i * 10

async def main():
    results = await asyncio.gather(*(fetch(i) for i in range(3)))
    print(results)

asyncio.run(main())
