from collections import defaultdict
from itertools import groupby

rows = [
    ("2024-Q1", "north", 120), ("2024-Q1", "south", 90),
    ("2024-Q2", "north", 150), ("2024-Q2", "south", 80),
    ("2024-Q2", "east", 30), ("2024-Q3", "north", 170),
]
regions = sorted({r for _, r, _ in rows})
pivot = defaultdict(dict)
for q, r, v in rows:
    pivot[q][r] = v
print("quarter  " + "".join(f"{r:>7}" for r in regions) + "  total")
for q in sorted(pivot):
    vals = [pivot[q].get(r, 0) for r in regions]
    print(f"{q:<9}" + "".join(f"{v:>7}" for v in vals) + f"{sum(vals):>7}")
for q, grp in groupby(sorted(rows), key=lambda t: t[0][:4]):
    print(q, sum(v for _, _, v in grp))
