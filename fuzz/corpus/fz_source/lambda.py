f = lambda *a, **k: (a, k)
print(f(1, 2, x=3), list(map(lambda v: v * 2, range(4))), sorted('cab', key=lambda c: -ord(c)))
