import json

data = {"name": "widget", "tags": ["a", "b"], "price": 9.99, "stock": None, "ok": True}
print(json.dumps(data, indent=2, sort_keys=True))
