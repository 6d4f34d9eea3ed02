import asyncio

async def greet(name, delay):
    await asyncio.sleep(delay)
    return f"hi {name}"

async def main():
    r = await greet("a", 0.01)
    print(r)

asyncio.run(main())
