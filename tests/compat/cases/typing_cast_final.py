from typing import cast, Final, ClassVar, Sequence

MAX: Final = 10

class Counter:
    instances: ClassVar[int] = 0
    def __init__(self):
        Counter.instances += 1

def first(xs: Sequence[int]) -> int:
    return cast(int, xs[0])

Counter(); Counter()
print(Counter.instances, first([7, 8]), MAX)
