import re
log = ["2024-01-05 ERROR disk full", "2024-01-06 INFO ok", "bad line", "2024-02-11 WARN cpu 91%"]
pat = re.compile(r"(\d+)-(\d+)-(\d+) (\w+) (.*)")
for line in log:
    m = pat.match(line)
    if m:
        print(m.group(4), m.group(1), int(m.group(2)), repr(m.group(5)))
    else:
        print("no match:", line)
m = re.search(r"cpu (\d+)%", log[3])
print(m.group(0), m.group(1))
print(re.search("xyz", "abc"))
