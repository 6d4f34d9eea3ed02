from dataclasses import dataclass, asdict, field
from typing import List

@dataclass
class Line:
    sku: str
    qty: int

@dataclass
class Order:
    oid: int
    lines: List[Line] = field(default_factory=list)

o = Order(7, [Line("a", 2), Line("b", 1)])
d = asdict(o)
print(d["lines"][0]["sku"], d["lines"][1]["qty"])
print(sum(l["qty"] for l in d["lines"]))
