import json

s = '{"users": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "count": 2}'
obj = json.loads(s)
print(obj["count"], [u["name"] for u in obj["users"]])
print(json.dumps(obj["users"][0], sort_keys=True))
print(json.loads("[1, 2.5, true, null, \"x\"]"))
