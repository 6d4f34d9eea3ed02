from dataclasses import dataclass

@dataclass
class Animal:
    name: str
    legs: int = 4

@dataclass
class Bird(Animal):
    can_fly: bool = True

b = Bird("tweety", 2)
print(b)
print(isinstance(b, Animal), b.legs)
