from collections import namedtuple

Point = namedtuple("Point", ["x", "y"])
p = Point(3, 4)
print(p, p.x, p._asdict())
q = p._replace(y=10)
print(q, tuple(q))
Emp = namedtuple("Emp", "name dept salary")
staff = [Emp("a", "eng", 100), Emp("b", "ops", 80)]
print(max(staff, key=lambda e: e.salary).name)
