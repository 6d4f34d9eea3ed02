import re

m = re.search(r"(\d+)-(\d+)", "range 10-20 here")
print(m.group(0), m.group(1, 2), m.start(1), m.end(2))
print(m[1], m[2])
print(re.match(r"x", "abc"))
