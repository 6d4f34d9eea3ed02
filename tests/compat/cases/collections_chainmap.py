from collections import ChainMap

defaults = {"color": "red", "size": "M"}
user = {"size": "L"}
cfg = ChainMap(user, defaults)
print(cfg["color"], cfg["size"])
print(sorted(cfg.keys()))
