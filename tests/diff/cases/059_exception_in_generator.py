def reader(lines):
    for i, line in enumerate(lines):
        if not line:
            raise ValueError("empty line at %d" % i)
        yield line.strip()
good = list(reader(["a ", " b", "c"]))
print(good)
g = reader(["x", "", "y"])
print(next(g))
try:
    next(g)
except ValueError as e:
    print("caught", e)
print(next(g, "exhausted"))
