import csv, io

lines = ["# comment", "x,y", "1,2", "3,4", ""]
clean = [l for l in lines if l and not l.startswith("#")]
reader = csv.reader(clean)
header, *body = list(reader)
print(header, body)
print(sum(int(r[0]) * int(r[1]) for r in body))
