import math
class Shape:
    name = "shape"
    def area(self):
        raise NotImplementedError
    def describe(self):
        return "%s with area %.2f" % (self.name, self.area())
class Circle(Shape):
    name = "circle"
    def __init__(self, r):
        self.r = r
    def area(self):
        return math.pi * self.r ** 2
class Rect(Shape):
    name = "rect"
    def __init__(self, w, h):
        self.w, self.h = w, h
    def area(self):
        return self.w * self.h
class Square(Rect):
    name = "square"
    def __init__(self, side):
        super().__init__(side, side)
shapes = [Circle(1), Rect(2, 3.5), Square(4), Circle(0.5)]
for s in sorted(shapes, key=lambda s: s.area()):
    print(s.describe())
print(isinstance(Square(1), Rect), issubclass(Square, Shape), issubclass(Circle, Rect))
print(sum(s.area() for s in shapes) > 30)
