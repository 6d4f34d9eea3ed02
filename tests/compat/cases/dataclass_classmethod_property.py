from dataclasses import dataclass

@dataclass
class Temperature:
    celsius: float

    @property
    def fahrenheit(self) -> float:
        return self.celsius * 9 / 5 + 32

    @classmethod
    def from_f(cls, f: float) -> "Temperature":
        return cls((f - 32) * 5 / 9)

t = Temperature.from_f(212)
print(t.celsius, t.fahrenheit)
print(Temperature(25))
