xs = list(range(20))
print(xs[::3], xs[-5:], xs[7:2:-2])
ys = xs[:]
ys[2:5] = ["a", "b"]
print(ys[:8], len(ys))
del ys[1:3]
print(ys)
print(xs[100:], xs[-100:3])
