from typing import List, Dict, Optional, Tuple

def average(values: List[float]) -> float:
    return sum(values) / len(values) if values else 0.0

def find_user(users: Dict[str, int], name: str) -> Optional[int]:
    return users.get(name)

def min_max(xs: List[int]) -> Tuple[int, int]:
    return min(xs), max(xs)

print(average([1.5, 2.5, 3.0]))
print(find_user({"alice": 3}, "alice"), find_user({"alice": 3}, "bob"))
print(min_max([4, 1, 9, 3]))
