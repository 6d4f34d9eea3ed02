import csv, io

rows = [{"sku": "A1", "qty": 3, "price": 1.25}, {"sku": "B2", "qty": 1, "price": 9.5}]
out = io.StringIO()
writer = csv.DictWriter(out, fieldnames=["sku", "qty", "price"])
writer.writeheader()
writer.writerows(rows)
print(out.getvalue(), end="")
