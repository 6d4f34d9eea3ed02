import csv, io

buf = io.StringIO()
w = csv.writer(buf, quoting=csv.QUOTE_ALL)
w.writerow(["a", 1, 2.5])
w2 = csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC)
w2.writerow(["b", 3, None])
w3 = csv.writer(buf, lineterminator="\n")
w3.writerow(["c", "d"])
print(repr(buf.getvalue()))
