squares = {x: x * x for x in range(5)}
print(sorted(squares.items()))
evens = [x for x in range(20) if x % 2 == 0 if x % 3 == 0]
print(evens)
matrix = [[1, 2, 3], [4, 5, 6]]
print([[row[i] for row in matrix] for i in range(3)])
print({len(w) for w in ["a", "bb", "cc"]})
