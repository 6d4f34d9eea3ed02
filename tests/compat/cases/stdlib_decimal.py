from decimal import Decimal, ROUND_HALF_UP

price = Decimal("19.99")
qty = 3
total = price * qty
print(total)
print(Decimal("0.1") + Decimal("0.2"))
print(Decimal("2.675").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
print(sum([Decimal("1.10"), Decimal("2.20")]))
