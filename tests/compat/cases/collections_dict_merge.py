defaults = {"host": "localhost", "port": 80}
override = {"port": 8080}
merged = {**defaults, **override}
print(sorted(merged.items()))
m2 = defaults | override
print(m2["port"])
