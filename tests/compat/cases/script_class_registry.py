from typing import Callable, Dict

REGISTRY: Dict[str, Callable[[float, float], float]] = {}

def op(name: str):
    def deco(fn):
        REGISTRY[name] = fn
        return fn
    return deco

@op("add")
def add(a, b): return a + b

@op("mul")
def mul(a, b): return a * b

@op("pow")
def power(a, b): return a ** b

program = "add 2 3; mul 4 2.5; pow 2 10; div 1 2"
for stmt in program.split(";"):
    name, *args = stmt.split()
    fn = REGISTRY.get(name)
    if fn is None:
        print(f"{name}: unknown operation")
        continue
    a, b = map(float, args)
    print(f"{name}({a:g}, {b:g}) = {fn(a, b):g}")
print(sorted(REGISTRY))
