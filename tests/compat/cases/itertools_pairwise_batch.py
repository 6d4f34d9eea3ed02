from itertools import pairwise, starmap

prices = [10, 12, 9, 15]
print([b - a for a, b in pairwise(prices)])
print(list(starmap(pow, [(2, 3), (3, 2)])))
