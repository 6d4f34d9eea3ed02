a = {1, 2, 3, 4, 5, 6}
b = {4, 5, 6, 7, 8}
print(sorted(a & b), sorted(a | b), sorted(a - b), sorted(a ^ b))
print(a.issuperset({1, 2}), {9}.isdisjoint(a))
tags1 = set("python rust go".split())
tags2 = set("go c python zig".split())
print(sorted(tags1 & tags2))
