words = "the cat sat on the mat with the hat".split()
lengths = {len(w) for w in words}
print(sorted(lengths))
vowels = frozenset("aeiou")
print(sorted({w for w in words if set(w) & vowels and w[0] not in vowels}))
fs = frozenset([1, 2, 3])
d = {fs: "triple"}
print(d[frozenset([3, 2, 1])], fs | {4} == frozenset([1, 2, 3, 4]))
