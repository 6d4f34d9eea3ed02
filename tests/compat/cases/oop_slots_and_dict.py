class P:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y

p = P(1, 2)
print(p.x + p.y)
class Q:
    def __init__(self):
        self.a = 1
        self.b = 2
print(sorted(vars(Q()).items()))
