name = "Widget"
price = 1234.5678
qty = 3
items = ["a", "b"]
print(f"{name}: {price:.2f} x {qty} = {price * qty:,.2f}")
print(f"{name!r} {name:>10} {name:<10}| {name:^10}|")
print(f"{qty:03d} {qty:b} {255:x} {255:X} {255:o} {0.25:.1%}")
print(f"{items} {len(items)} {items[0].upper()} {'yes' if qty > 2 else 'no'}")
print(f"{3.0e10:e} {1/3:.4g} {-7:+d} {7:+d}")
width = 8
print(f"[{name:{width}}] [{price:{width}.1f}]")
d = {"k": 42}
print(f"{d['k']} {{literal}}")
