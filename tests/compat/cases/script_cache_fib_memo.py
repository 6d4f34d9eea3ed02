from functools import lru_cache
import sys

sys.setrecursionlimit(10000)

@lru_cache(maxsize=128)
def collatz_len(n: int) -> int:
    if n == 1:
        return 1
    return 1 + collatz_len(n // 2 if n % 2 == 0 else 3 * n + 1)

best = max(range(1, 3000), key=collatz_len)
print(best, collatz_len(best))
