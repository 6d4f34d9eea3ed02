from itertools import product, combinations, permutations

print(list(product([1, 2], "ab")))
print(list(combinations(range(4), 2)))
print(len(list(permutations("abcd", 3))))
print(list(product(range(2), repeat=3))[:4])
