errors = [ValueError("bad value"), KeyError("k"), IndexError(), OSError(2, "nope"), Exception("a", 1)]
for e in errors:
    print(type(e).__name__, repr(str(e)), e.args)
try:
    int("zz")
except ValueError as e:
    print("int:", e)
try:
    [].pop()
except IndexError as e:
    print("pop:", e)
try:
    {"a": 1}["b"]
except KeyError as e:
    print("key:", e)
