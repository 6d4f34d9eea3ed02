from dataclasses import dataclass

@dataclass
class Job:
    name: str
    priority: int = 0
    tags: tuple = ()

jobs = [Job("b", 2), Job("a", 5, ("x",)), Job(name="c")]
jobs.sort(key=lambda j: -j.priority)
print([j.name for j in jobs])
print(Job(priority=9, name="z"))
