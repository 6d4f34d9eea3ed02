import re

print(re.findall(r"\b\d{3}-\d{4}\b", "call 555-1234 or 555-98765"))
print(bool(re.match(r"^[a-z]{2,4}$", "abc")), bool(re.match(r"^[a-z]{2,4}$", "abcde")))
print(re.sub(r"a{2}", "X", "aaaaa"))
