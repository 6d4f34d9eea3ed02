from itertools import combinations_with_replacement, compress, filterfalse, takewhile, dropwhile

print(list(combinations_with_replacement("ab", 2)))
print(list(compress("abcdef", [1, 0, 1, 0, 1, 1])))
print(list(filterfalse(lambda x: x % 2, range(8))))
print(list(takewhile(lambda x: x < 4, [1, 3, 5, 2])))
print(list(dropwhile(lambda x: x < 4, [1, 3, 5, 2])))
