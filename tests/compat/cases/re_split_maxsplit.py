import re

print(re.split(r"[,;]\s*", "a, b;c,  d"))
print(re.split(r"\s+", "one  two   three four", maxsplit=2))
print(re.split(r"(-)", "a-b-c"))
