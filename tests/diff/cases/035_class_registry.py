registry = {}
def register(cls):
    registry[cls.__name__.lower()] = cls
    return cls
@register
class Add:
    def run(self, a, b):
        return a + b
@register
class Mul:
    def run(self, a, b):
        return a * b
@register
class Pow:
    def run(self, a, b):
        return a ** b
for cmd, a, b in [("add", 2, 3), ("mul", 4, 5), ("pow", 2, 100), ("add", "x", "y")]:
    print(cmd, registry[cmd]().run(a, b))
print(sorted(registry))
