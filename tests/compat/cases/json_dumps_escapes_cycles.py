# json.dumps with default options on data the guest's C encoder could print
# differently from CPython: escapes CPython writes short (\b, \f) or as \u
# (DEL, non-ASCII), values nested deep inside plain containers that CPython
# refuses (with its TypeError message) or that are out of range, non-str
# keys, dict subclasses, bool against int, floats, cycles, and what loads
# returned.
import json
from collections import OrderedDict


class Point:
    def __init__(self, x):
        self.x = x


class Tagged(dict):
    pass


class Repr:
    def __repr__(self):
        return '1'


def show(v, **kw):
    try:
        print(json.dumps(v, **kw))
    except (TypeError, ValueError) as e:
        print(type(e).__name__, str(e).split(':')[0])   # 3.14 adds ": inf"


for s in ["a\bb", "\f", "x\x7fy", "\x00\x1f\n\r\t\"\\/", "caf\u00e9", "\U0001f600", "plain"]:
    show(s)
    show({s: [s]})
show([{"a": [1, {"b": (2, Point(3))}]}])
show([[[b"bytes"]]])
show({"k": {"j": [Repr()]}})
show({"k": [1, 2, {3, 4}]})
show([1, [2, [3, [float("nan")]]]])
show([{"x": float("inf")}], allow_nan=False)
show([-float("inf"), float("nan")])
show([{1: "int"}, {2.5: "float"}, {True: "bool"}, {None: "none"}, {False: 0}, {-3: 1}, {10**20: 2}])
show({"b": 1, "a": 2, "c": 3}, sort_keys=True)
show([{(1, 2): "tuple key"}])
show([{(1, 2): "skipped", "kept": 1}], skipkeys=True)
show([True, False, 1, 0, -1, 10**30, -10**30])
show([0.1, 1 / 3, 2.5e-7, 1e16, 1e22, -0.0, 123456.789, 2**0.5, 1e300 * 10])
t = Tagged(a=1)
show(t)
show([t, OrderedDict([("z", 1), ("a", 2)])])
show([(), (1,), ([],), {}])
loaded = json.loads('[{"z": 1, "a": {"y": [1, 2], "b": null}}, {"z": 2, "a": {}}]')
loaded[1]["new"] = True
show(loaded)
a = []
a.append([a])
show(a)
d = {"k": 1}
d["self"] = [d]
show(d)
shared = [1, 2]
show([shared, shared, {"s": shared}])
deep = []
for _ in range(200):
    deep = [deep]
print(len(json.dumps(deep)))
show({"k": Point(1)}, default=lambda o: {"x": o.x})
