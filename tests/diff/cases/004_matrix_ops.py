A = [[1, 2, 3], [4, 5, 6]]
B = [[7, 8], [9, 10], [11, 12]]
def matmul(a, b):
    return [[sum(a[i][k] * b[k][j] for k in range(len(b)))
             for j in range(len(b[0]))] for i in range(len(a))]
def transpose(m):
    return [list(row) for row in zip(*m)]
print(matmul(A, B))
print(transpose(A))
print(matmul(transpose(B), transpose(A)))
I = [[int(i == j) for j in range(3)] for i in range(3)]
print(matmul(A, I) == A)
