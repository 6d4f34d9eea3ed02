table = [
    ["", "Q1", "Q2", "Q3"],
    ["north", 10, 12, 9],
    ["south", 7, 8, 15],
    ["east", 11, 11, 11],
]
cols = list(zip(*table))
for col in cols:
    print(" | ".join("%5s" % c for c in col))
totals = [sum(row[1:]) for row in table[1:]]
print(totals)
