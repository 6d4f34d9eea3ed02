import re

text = "Order 66 shipped 3 items to 221B Baker St on 2024-05-01"
print(re.findall(r"\d+", text))
print(re.findall(r"(\d{4})-(\d{2})-(\d{2})", text))
print(re.findall(r"[A-Z][a-z]+", text))
