from collections import namedtuple
Point = namedtuple("Point", ["x", "y"])
Person = namedtuple("Person", "name age city")
p = Point(3, 4)
print(p, p.x, p[1], p.x ** 2 + p.y ** 2)
x, y = p
print(x, y, p == (3, 4), len(p))
people = [Person("ann", 31, "oslo"), Person("bob", 25, "rome"), Person("cy", 40, "oslo")]
for person in sorted(people, key=lambda q: q.age):
    print(person.name, person.age)
moved = Point(p.x, p.y + 6)
print(moved, moved > p, tuple(moved), list(people[0]))
print(isinstance(p, tuple), [q.city for q in people].count("oslo"))
