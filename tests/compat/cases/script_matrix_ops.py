from typing import List

Matrix = List[List[float]]

def matmul(a: Matrix, b: Matrix) -> Matrix:
    return [[sum(x * y for x, y in zip(row, col)) for col in zip(*b)] for row in a]

def transpose(m: Matrix) -> Matrix:
    return [list(r) for r in zip(*m)]

def fmt(m: Matrix) -> str:
    return "\n".join(" ".join(f"{v:6.1f}" for v in row) for row in m)

a = [[1, 2], [3, 4], [5, 6]]
b = [[7, 8, 9], [10, 11, 12]]
print(fmt(matmul(a, b)))
print(fmt(transpose(a)))
identity = [[float(i == j) for j in range(3)] for i in range(3)]
print(matmul(identity, [[1], [2], [3]]))
