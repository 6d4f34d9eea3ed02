names = ["a", "b", "c"]
scores = [90, 80, 70]
for i, (n, s) in enumerate(zip(names, scores), start=1):
    print(i, n, s)
print(dict(zip(names, scores))["b"])
print(list(zip(*[(1, 2), (3, 4)])))
print(list(zip([1, 2, 3], "ab", strict=False)))
