import csv, io

CSV = """language,year,typing
Python,1991,dynamic
Rust,2015,static
Go,2009,static
Ruby,1995,dynamic
"""
rows = list(csv.reader(io.StringIO(CSV)))
header, body = rows[0], rows[1:]
widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
def line(cells):
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
print(line([h.capitalize() for h in header]))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in sorted(body, key=lambda r: int(r[1])):
    print(line(r))
