from dataclasses import dataclass, FrozenInstanceError

@dataclass(frozen=True)
class Coord:
    lat: float
    lon: float

c = Coord(1.0, 2.0)
print(c)
try:
    c.lat = 5.0
except FrozenInstanceError:
    print("cannot modify")
print(hash(c) == hash(Coord(1.0, 2.0)))
print(len({c, Coord(1.0, 2.0)}))
