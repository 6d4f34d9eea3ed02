# Deep recursion as agents write it: a memoised recursive function filled
# top-down, a plain recursive walk 900 frames deep, and a runaway recursion
# caught as RecursionError.
import sys
from functools import lru_cache, cache


@lru_cache(maxsize=None)
def ways(n):
    if n < 2:
        return 1
    return ways(n - 1) + ways(n - 2)


print(ways(300) % 1000007)


@cache
def collatz_len(n):
    if n == 1:
        return 1
    return 1 + collatz_len(n // 2 if n % 2 == 0 else 3 * n + 1)


print(max(range(1, 3000), key=collatz_len))


def depth(node):
    return 0 if node is None else 1 + depth(node[1])


chain = None
for i in range(900):
    chain = (i, chain)
print(depth(chain))


def runaway(n):
    return runaway(n + 1)


try:
    runaway(0)
except RecursionError:
    print("RecursionError caught")
except RuntimeError:
    print("RuntimeError caught")

print(sys.getrecursionlimit())
sys.setrecursionlimit(5000)
print(sys.getrecursionlimit())
try:
    sys.setrecursionlimit(0)
except ValueError:
    print("ValueError")
