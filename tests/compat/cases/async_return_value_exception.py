import asyncio

async def boom():
    await asyncio.sleep(0)
    raise ValueError("bad")

async def main():
    try:
        await boom()
    except ValueError as e:
        print("caught", e)
    res = await asyncio.gather(boom(), asyncio.sleep(0, result=1), return_exceptions=True)
    print([type(r).__name__ for r in res])
    return 42

print(asyncio.run(main()))
