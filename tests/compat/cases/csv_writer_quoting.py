import csv, io

buf = io.StringIO()
w = csv.writer(buf)
w.writerow(["id", "comment"])
w.writerow([1, "hello, world"])
w.writerow([2, 'she said "hi"'])
w.writerow([3, "multi\nline"])
print(buf.getvalue(), end="")
