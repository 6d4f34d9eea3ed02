def find_divisor(n):
    d = 2
    while d * d <= n:
        if n % d == 0:
            break
        d += 1
    else:
        return None
    return d
print([(n, find_divisor(n)) for n in [15, 17, 49, 97, 1001]])
for i in range(3):
    for j in range(3):
        if i * j == 2:
            print("found", i, j)
            break
    else:
        print("none in row", i)
