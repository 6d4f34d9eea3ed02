import re

pat = re.compile(r"(\w+)=(\d+)")
s = "a=1, bb=22, ccc=333"
print(pat.findall(s))
print([m.group(1) for m in pat.finditer(s)])
m = pat.search(s)
print(m.groups(), m.group(0))
print(pat.pattern)
