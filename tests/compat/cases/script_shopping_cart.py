from decimal import Decimal
from dataclasses import dataclass
from typing import List

@dataclass
class Line:
    name: str
    price: Decimal
    qty: int

    @property
    def total(self) -> Decimal:
        return self.price * self.qty

cart: List[Line] = [Line("tea", Decimal("3.49"), 2), Line("mug", Decimal("7.99"), 1)]
subtotal = sum((l.total for l in cart), Decimal("0"))
tax = (subtotal * Decimal("0.08")).quantize(Decimal("0.01"))
for l in cart:
    print(f"{l.name:<5}{l.qty:>3} x {l.price} = {l.total}")
print(f"subtotal {subtotal} tax {tax} total {subtotal + tax}")
