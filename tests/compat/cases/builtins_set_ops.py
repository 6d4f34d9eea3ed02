a = {1, 2, 3, 4}
b = {3, 4, 5}
print(sorted(a & b), sorted(a | b), sorted(a - b), sorted(a ^ b))
print(a.issuperset({1, 2}), {1, 2}.isdisjoint({3}))
a.discard(10)
print(len(a), 3 in a)
