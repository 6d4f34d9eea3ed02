import re

print(re.findall(r"python", "Python PYTHON python", re.IGNORECASE))
print(bool(re.search(r"^hello", "HELLO there", flags=re.I)))
print(re.sub(r"cat", "dog", "Cat cat CAT", flags=re.IGNORECASE))
