print("{} + {} = {}".format(1, 2, 3))
print("{0} {1} {0}".format("a", "b"))
print("{name} is {age}".format(name="Bob", age=30))
print("{:>8.3f}|{:<6}|".format(3.14159, "ab"))
print("{:^9}".format("mid"))
data = {"x": 1}
print("{d[x]}".format(d=data))
