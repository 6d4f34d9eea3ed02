d = {"a": 1}
print(d.get("b", "default"))
print(d["b"])
