import asyncio

async def main():
    lock = asyncio.Lock()
    ev = asyncio.Event()
    shared = []

    async def add(x):
        await ev.wait()
        async with lock:
            shared.append(x)

    tasks = [asyncio.create_task(add(i)) for i in range(3)]
    await asyncio.sleep(0.01)
    ev.set()
    await asyncio.gather(*tasks)
    print(sorted(shared))

asyncio.run(main())
