records = [("b", 2), ("a", 1), ("c", 2), ("d", 1), ("e", 2), ("f", 1), ("g", 3)]
print(sorted(records, key=lambda r: r[1]))
people = [{"n": c, "age": a} for c, a in zip("abcdefghij", [30, 25, 30, 25, 40, 30, 25, 40, 30, 25])]
people.sort(key=lambda p: p["age"])
print([p["n"] for p in people])
print(sorted("banana", reverse=True))
