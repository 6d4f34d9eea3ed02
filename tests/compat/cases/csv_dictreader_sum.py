import csv, io

text = "region,sales\nnorth,100\nsouth,250\nnorth,75\neast,60\n"
totals = {}
for row in csv.DictReader(io.StringIO(text)):
    totals[row["region"]] = totals.get(row["region"], 0) + int(row["sales"])
for region in sorted(totals):
    print(region, totals[region])
