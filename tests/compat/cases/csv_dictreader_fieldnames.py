import csv, io

raw = "1;apple;0.5\n2;pear;0.75\n"
r = csv.DictReader(io.StringIO(raw), fieldnames=["id", "fruit", "price"], delimiter=";")
for row in r:
    print(row["id"], row["fruit"], float(row["price"]) * 2)
print(r.fieldnames)
