import json
d = json.loads('{"a": [1, 2.5, null, true, "x"]}')
print(json.dumps(d, sort_keys=True))
