from collections import Counter

words = "the cat and the hat and the bat".split()
c = Counter(words)
print(c["the"], c["and"], c["dog"])
print(c.most_common(2))
print(sorted(c.items()))
