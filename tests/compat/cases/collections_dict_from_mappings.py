# dict(), dict.update(), {**m} and dict(**m) accept every mapping: the
# collections types, csv rows, dict subclasses and any class with keys()
# and __getitem__ (printed sorted: key order is not the point here).
import csv
import io
from collections import Counter, OrderedDict, defaultdict


class Inventory:
    def __init__(self):
        self._d = {"apple": 3, "pear": 1}

    def keys(self):
        return self._d.keys()

    def __getitem__(self, key):
        return self._d[key] * 10


class Settings(dict):
    pass


dd = defaultdict(list)
dd["a"].append(1)
sources = [
    ("defaultdict", dd),
    ("Counter", Counter("banana")),
    ("OrderedDict", OrderedDict([("x", 1), ("y", 2)])),
    ("csv row", next(csv.DictReader(io.StringIO("name,qty\ntea,2\n")))),
    ("dict subclass", Settings(debug=True)),
    ("user mapping", Inventory()),
]
for name, m in sources:
    print(name, sorted(dict(m).items()))
    merged = {"base": 0}
    merged.update(m)
    print("  update", sorted(merged.items()))
    print("  update+kw", sorted(dict(m, extra=1).items()))
    print("  {**m}", sorted({**m, "k": "v"}.items()))
    print("  dict(**m)", sorted(dict(**m).items()))

print(sorted(dict(Inventory(), apple=0).items()))
try:
    dict([1, 2])
except TypeError:
    print("TypeError for a list of ints")
try:
    dict(["ab", "cde"])
except ValueError:
    print("ValueError for a bad pair")
