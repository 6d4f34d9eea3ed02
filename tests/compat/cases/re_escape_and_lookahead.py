import re

print(re.escape("a.b*c"))
print(re.findall(r"\w+(?=!)", "hi! there wow!"))
print(re.sub(r"\s+", " ", "too    many\t\tspaces").strip())
