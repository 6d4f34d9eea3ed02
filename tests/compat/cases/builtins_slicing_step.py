xs = list(range(10))
print(xs[::2], xs[::-1], xs[1:8:3])
s = "abcdefgh"
print(s[::2], s[::-1], s[-3:])
t = tuple(xs)
print(t[::3])
