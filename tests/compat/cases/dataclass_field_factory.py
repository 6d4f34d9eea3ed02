from dataclasses import dataclass, field
from typing import List

@dataclass
class Team:
    name: str
    members: List[str] = field(default_factory=list)

    def add(self, who: str) -> None:
        self.members.append(who)

t1 = Team("red")
t2 = Team("blue")
t1.add("ann")
print(t1, t2)
