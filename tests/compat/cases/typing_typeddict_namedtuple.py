from typing import NamedTuple, TypedDict

class Point(NamedTuple):
    x: float
    y: float

class Config(TypedDict):
    name: str
    retries: int

p = Point(1.0, 2.5)
print(p.x + p.y)
cfg: Config = {"name": "svc", "retries": 3}
print(cfg["name"], cfg["retries"])
