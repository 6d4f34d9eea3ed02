from typing import Iterator, Set, FrozenSet, Deque
from collections import deque

def evens(limit: int) -> Iterator[int]:
    return (i for i in range(limit) if i % 2 == 0)

seen: Set[int] = set(evens(10))
frozen: FrozenSet[int] = frozenset([1, 2])
q: Deque[int] = deque([1, 2, 3])
print(sorted(seen), len(frozen), q.popleft())
