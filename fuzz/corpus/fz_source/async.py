import asyncio
async def f(n):
    await asyncio.sleep(0)
    return n * 2
async def main():
    print(await asyncio.gather(f(1), f(2)))
asyncio.run(main())
