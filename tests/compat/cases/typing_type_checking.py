from __future__ import annotations
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

def count_up(n: int) -> Iterator[int]:
    i = 0
    while i < n:
        yield i
        i += 1

print(list(count_up(4)))
