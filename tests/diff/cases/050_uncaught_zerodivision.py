totals = {"a": 10, "b": 0, "c": 5}
counts = {"a": 2, "b": 0, "c": 1}
for k in sorted(totals):
    print(k, totals[k] // counts[k] if k != "b" else "skip")
print("mean b:", totals["b"] / counts["b"])
