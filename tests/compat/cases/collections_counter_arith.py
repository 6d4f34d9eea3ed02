from collections import Counter

a = Counter(a=3, b=1)
b = Counter(a=1, b=2, c=5)
print(sorted((a + b).items()))
print(sorted((b - a).items()))
print(sorted((a & b).items()), sorted((a | b).items()))
a.update("aab")
print(a["a"], a["b"], sum(a.values()))
