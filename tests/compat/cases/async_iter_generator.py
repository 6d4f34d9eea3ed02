import asyncio

async def ticker(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i

async def main():
    got = [x async for x in ticker(4)]
    print(got)
    async for x in ticker(2):
        print("tick", x)

asyncio.run(main())
