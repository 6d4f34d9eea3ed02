data = [3, 8, 1, 9, 4]
if (n := len(data)) > 3:
    print(f"long list ({n})")
first, *middle, last = data
print(first, middle, last)
a, (b, c) = 1, (2, 3)
print(a + b + c)
print(*data, sep="-")
