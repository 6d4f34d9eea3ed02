from dataclasses import dataclass, replace, fields

@dataclass
class Settings:
    debug: bool = False
    level: int = 1
    name: str = "app"

s = Settings()
s2 = replace(s, level=3)
print(s2)
print([f.name for f in fields(Settings)])
