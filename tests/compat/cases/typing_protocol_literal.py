from typing import Protocol, Literal, Iterable

class Shape(Protocol):
    def area(self) -> float: ...

class Square:
    def __init__(self, s: float):
        self.s = s
    def area(self) -> float:
        return self.s ** 2

Mode = Literal["fast", "slow"]

def total_area(shapes: Iterable[Shape], mode: Mode = "fast") -> float:
    return sum(s.area() for s in shapes)

print(total_area([Square(2), Square(3)]))
