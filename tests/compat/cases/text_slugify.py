import re

def slugify(s: str) -> str:
    s = s.lower().strip()
    s = re.sub(r"[^a-z0-9\s-]", "", s)
    s = re.sub(r"[\s-]+", "-", s)
    return s.strip("-")

for t in ["Hello World!", "  Python 3.11 -- Release Notes ", "C'est la vie"]:
    print(slugify(t))
