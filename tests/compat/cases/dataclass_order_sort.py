from dataclasses import dataclass

@dataclass(order=True)
class Version:
    major: int
    minor: int
    patch: int = 0

vs = [Version(1, 2, 3), Version(1, 0), Version(0, 9, 9), Version(1, 2)]
for v in sorted(vs):
    print(v)
print(Version(1, 2) < Version(1, 10))
