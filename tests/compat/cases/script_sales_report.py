from dataclasses import dataclass
from typing import List, Dict
from collections import defaultdict
import csv, io

RAW = """date,region,product,units,unit_price
2024-01-02,North,Widget,10,2.50
2024-01-02,South,Gadget,3,10.00
2024-01-03,North,Gadget,1,10.00
2024-01-05,East,Widget,7,2.50
2024-01-06,South,Widget,12,2.40
2024-01-07,North,Widget,4,2.50
"""

@dataclass
class Sale:
    date: str
    region: str
    product: str
    units: int
    unit_price: float

    @property
    def revenue(self) -> float:
        return self.units * self.unit_price

def load(text: str) -> List[Sale]:
    rows = csv.DictReader(io.StringIO(text))
    return [Sale(r["date"], r["region"], r["product"], int(r["units"]), float(r["unit_price"])) for r in rows]

def by_region(sales: List[Sale]) -> Dict[str, float]:
    out: Dict[str, float] = defaultdict(float)
    for s in sales:
        out[s.region] += s.revenue
    return out

sales = load(RAW)
totals = by_region(sales)
print(f"{'Region':<8}{'Revenue':>10}")
for region, rev in sorted(totals.items(), key=lambda kv: kv[1], reverse=True):
    print(f"{region:<8}{rev:>10,.2f}")
best = max(sales, key=lambda s: s.revenue)
print(f"Best sale: {best.product} in {best.region} on {best.date} ({best.revenue:.2f})")
print(f"Total units: {sum(s.units for s in sales)}")
