price = 1234.5678
qty = 42
name = "widget"
print(f"{name:>10}|{name:<10}|{name:^10}|")
print(f"{price:.2f} {price:10.1f} {price:e}")
print(f"{qty:05d} {qty:x} {qty:o} {qty:b} {qty:#x}")
print(f"{0.256:.1%}")
