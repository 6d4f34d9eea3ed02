import csv, io

tsv = "a\tb\tc\n1\t2\t3\n4\t5\t6\n"
rows = list(csv.reader(io.StringIO(tsv), delimiter="\t"))
print(rows)
cols = list(zip(*rows[1:]))
print([sum(int(x) for x in c) for c in cols])
