import asyncio

async def job(sem, i, log):
    async with sem:
        log.append(f"start {i}")
        await asyncio.sleep(0.01)
        log.append(f"end {i}")
        return i * i

async def main():
    sem = asyncio.Semaphore(2)
    log = []
    out = await asyncio.gather(*[job(sem, i, log) for i in range(4)])
    print(out)
    print(len(log))

asyncio.run(main())
