from itertools import chain, islice, count, cycle

print(list(chain([1, 2], (3, 4), "ab")))
print(list(chain.from_iterable([[1], [2, 3], []])))
print(list(islice(count(10, 5), 4)))
print(list(islice(cycle("xy"), 5)))
