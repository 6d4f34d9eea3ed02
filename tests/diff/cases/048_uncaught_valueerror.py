def to_celsius(f):
    if not isinstance(f, (int, float)):
        raise TypeError("number required")
    return (f - 32) * 5 / 9
readings = ["98.6", "100", "abc"]
for r in readings:
    print(r, "->", round(to_celsius(float(r)), 1))
