from enum import Enum, auto, IntEnum

class Color(Enum):
    RED = 1
    GREEN = 2
    BLUE = 3

class Level(IntEnum):
    LOW = auto()
    HIGH = auto()

print(Color.RED, Color.RED.name, Color.RED.value)
print(Color(2), Color["BLUE"])
print([c.name for c in Color])
print(Level.HIGH > Level.LOW, Level.HIGH == 2)
