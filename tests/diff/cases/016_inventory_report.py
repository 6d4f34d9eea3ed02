inventory = [
    ("apples", 50, 0.4), ("bananas", 0, 0.25), ("cherries", 200, 0.1),
    ("dates", 15, 1.2), ("eggplant", 3, 2.0), ("figs", 0, 1.5),
]
in_stock = [(n, q, p) for n, q, p in inventory if q > 0]
out_of_stock = [n for n, q, _ in inventory if q == 0]
value = {n: round(q * p, 2) for n, q, p in in_stock}
print("out of stock:", ", ".join(out_of_stock))
for name in sorted(value, key=lambda k: value[k], reverse=True):
    bar = "#" * int(value[name] // 2)
    print(f"{name:<9}{value[name]:>7.2f} {bar}")
print("total value: %.2f" % sum(value.values()))
low = [n for n, q, _ in in_stock if q < 20]
print("reorder:", low)
