# json.dumps of the types agents pass: plain data through the C encoder, NaN and
# infinities, ordered mappings, enums, namedtuples, and what CPython refuses
import json
from collections import OrderedDict, defaultdict, Counter, namedtuple
import enum
class C(enum.IntEnum):
    A = 1
P = namedtuple("P", "x y")
class R:
    def __repr__(self): return "R()"
for v in [[1, 2.5, "a", None, True], {"a": [1, {"b": 2}]}, (1, 2), {1: "x"}, {True: 1}, {None: 2}, {1.5: 3},
          float("nan"), [float("inf")], json.loads('{"z": 1, "a": {"y": 2, "b": 3}}'), OrderedDict([("z", 1), ("a", 2)]),
          defaultdict(int, {"k": 1}), Counter("aab"), C.A, [C.A], P(1, 2), "é", {"k": "ü"}, {}, [], [{}],
          R(), [R()], b"x", {1, 2}, 10**30, -0.0, 1e300]:
    try:
        print(json.dumps(v, sort_keys=True))
    except Exception as e:
        print(type(e).__name__)
    try:
        print(json.dumps(v))
    except Exception as e:
        print(type(e).__name__)
