import json
from dataclasses import dataclass, asdict

@dataclass
class Point:
    x: int
    y: int

pts = [Point(1, 2), Point(3, 4)]
print(json.dumps([asdict(p) for p in pts]))
class Enc(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, Point):
            return [o.x, o.y]
        return super().default(o)
print(json.dumps(pts, cls=Enc))
