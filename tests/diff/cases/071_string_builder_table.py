rows = [("Alice", 34, 72000.5), ("Bob", 29, 58000.0), ("Christina", 41, 103250.75)]
headers = ("Name", "Age", "Salary")
widths = [max(len(str(r[i])) for r in rows + [headers]) for i in range(3)]
widths[2] = max(widths[2], 10)
sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
print(sep)
print("| " + " | ".join(h + " " * (w - len(h)) for h, w in zip(headers, widths)) + " |")
print(sep)
for name, age, sal in rows:
    cells = [name + " " * (widths[0] - len(name)), "%*d" % (widths[1], age), "%*.2f" % (widths[2], sal)]
    print("| " + " | ".join(cells) + " |")
print(sep)
