from dataclasses import dataclass, asdict, astuple
import json

@dataclass
class User:
    id: int
    name: str
    active: bool = True

u = User(1, "zoe")
print(asdict(u))
print(astuple(u))
print(json.dumps(asdict(u)))
