names = ["ann", "ben", "cat"]
scores = [88, 92, 79]
for i, (n, s) in enumerate(zip(names, scores), start=1):
    print(i, n.capitalize() if hasattr(n, 'capitalize') else n[0].upper() + n[1:], s, "pass" if s >= 80 else "fail")
print(list(zip(*[(1, "a"), (2, "b"), (3, "c")])))
print(dict(zip(names, scores)) == {"ann": 88, "ben": 92, "cat": 79})
