import asyncio
from typing import List

async def fetch(url: str) -> dict:
    await asyncio.sleep(0.01)
    return {"url": url, "size": len(url) * 10}

async def crawl(urls: List[str]) -> List[dict]:
    tasks = [asyncio.create_task(fetch(u)) for u in urls]
    return await asyncio.gather(*tasks)

async def main() -> None:
    urls = [f"/page/{i}" for i in range(5)]
    pages = await crawl(urls)
    total = sum(p["size"] for p in pages)
    print(f"fetched {len(pages)} pages, {total} bytes")
    for p in pages[:2]:
        print(p["url"], p["size"])

if __name__ == "__main__":
    asyncio.run(main())
