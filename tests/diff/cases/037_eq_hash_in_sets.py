class Point:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def __eq__(self, other):
        return (self.x, self.y) == (other.x, other.y)
    def __hash__(self):
        return hash((self.x, self.y))
    def __lt__(self, other):
        return (self.x, self.y) < (other.x, other.y)
    def __repr__(self):
        return "P(%d,%d)" % (self.x, self.y)
pts = [Point(1, 2), Point(0, 0), Point(1, 2), Point(3, 1), Point(0, 0)]
uniq = set(pts)
print(len(uniq), sorted(uniq))
print(Point(3, 1) in uniq, min(pts), sorted(pts)[-1])
