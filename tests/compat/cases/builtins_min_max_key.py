words = ["kiwi", "banana", "fig", "cherry"]
print(max(words, key=len), min(words, key=len))
print(max([], default=None), min(3, 1, 2))
print(sum([0.1] * 10), sum([[1], [2]], []))
print(any(w.startswith("b") for w in words), all(len(w) > 2 for w in words))
