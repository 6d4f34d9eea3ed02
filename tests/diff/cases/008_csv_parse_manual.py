raw = """id,name,qty,price
1,widget,4,2.50
2,gadget,10,1.25
3,doohickey,1,19.99
4,gizmo,7,3.00
"""
lines = raw.strip().split("\n")
header = lines[0].split(",")
rows = [dict(zip(header, line.split(","))) for line in lines[1:]]
total = 0.0
for r in rows:
    line_total = int(r["qty"]) * float(r["price"])
    total += line_total
    print("{:<10}{:>4}{:>8.2f}".format(r["name"], r["qty"], line_total))
print("TOTAL", "%.2f" % total)
print("most units:", max(rows, key=lambda r: int(r["qty"]))["name"])
