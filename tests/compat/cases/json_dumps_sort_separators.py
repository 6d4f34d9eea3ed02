import json

d = {"b": 1, "a": [1, 2], "c": {"z": 1, "y": 2}}
print(json.dumps(d, sort_keys=True))
print(json.dumps(d, sort_keys=True, separators=(",", ":")))
print(json.dumps([1, 2, 3], indent=4))
