from typing import Optional

def greet(name: Optional[str] = None) -> str:
    if name is None:
        return "Hello, world"
    return f"Hello, {name}"

print(greet())
print(greet("Ada"))
