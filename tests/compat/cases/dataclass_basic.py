from dataclasses import dataclass

@dataclass
class Item:
    name: str
    price: float
    qty: int = 1

    def total(self) -> float:
        return self.price * self.qty

a = Item("pen", 1.5, 4)
b = Item("book", 12.0)
print(a)
print(b.total(), a.total())
print(a == Item("pen", 1.5, 4))
