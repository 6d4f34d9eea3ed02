rows = [("apples", 3, 0.5), ("bananas", 12, 0.25), ("cherries", 100, 0.1)]
print(f"{'item':<10} {'qty':>5} {'price':>8} {'total':>8}")
print("-" * 34)
for item, qty, price in rows:
    print(f"{item:<10} {qty:>5} {price:>8.2f} {qty * price:>8.2f}")
total = sum(q * p for _, q, p in rows)
print(f"{'TOTAL':<10} {'':>5} {'':>8} {total:>8.2f}")
