import re
text = "Call 555-1234 or 555-987-6543; fax: 555 0000."
print(re.sub(r"\d", "#", text))
print(re.sub(r"\s+", " ", "a   b \t\n c"))
print(re.sub("(a+)(b)", r"\2\1", "aab ab b"))
print(re.sub(r"[aeiou]", lambda m: m.group(0).upper(), "regular expressions"))
print(re.compile(r"[,;]\s*").split("a, b;c ;d"))
print(re.compile(r"\d+").split("x1y22z333w"))
