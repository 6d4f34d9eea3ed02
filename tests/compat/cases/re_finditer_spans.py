import re

s = "cat bat rat"
for m in re.finditer(r"\b\wat\b", s):
    print(m.group(), m.start(), m.end(), m.span())
