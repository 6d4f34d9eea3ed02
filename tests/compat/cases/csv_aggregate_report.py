import csv, io
from collections import defaultdict

data = """date,category,amount
2024-01-03,food,12.50
2024-01-04,transport,3.20
2024-01-04,food,7.25
2024-01-05,rent,900
2024-01-06,food,4.05
"""
by_cat = defaultdict(float)
count = defaultdict(int)
for row in csv.DictReader(io.StringIO(data)):
    by_cat[row["category"]] += float(row["amount"])
    count[row["category"]] += 1
for cat in sorted(by_cat, key=by_cat.get, reverse=True):
    print(f"{cat:<10} {count[cat]:>2} {by_cat[cat]:>8.2f}")
