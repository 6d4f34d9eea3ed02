def area(w, h):
    assert w > 0 and h > 0, "dimensions must be positive"
    return w * h

print(area(2, 3))
try:
    area(-1, 2)
except AssertionError as e:
    print("assert:", e)
try:
    "a" + 1
except TypeError:
    print("TypeError")
