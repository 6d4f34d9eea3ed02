from typing import Any, Callable, Union

def apply(fn: Callable[[int], int], value: Union[int, str]) -> Any:
    if isinstance(value, str):
        value = int(value)
    return fn(value)

print(apply(lambda x: x * 2, 21))
print(apply(lambda x: x + 1, "41"))
