from operator import itemgetter, attrgetter, methodcaller

rows = [{"n": "b", "v": 2}, {"n": "a", "v": 3}, {"n": "c", "v": 1}]
print([r["n"] for r in sorted(rows, key=itemgetter("v"))])
pairs = [(1, "z"), (0, "y"), (1, "a")]
print(sorted(pairs, key=itemgetter(0, 1)))
class P:
    def __init__(self, age): self.age = age
print([p.age for p in sorted([P(5), P(2)], key=attrgetter("age"))])
print(list(map(methodcaller("upper"), ["a", "b"])))
