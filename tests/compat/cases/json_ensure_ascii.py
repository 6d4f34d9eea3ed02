import json

print(json.dumps({"city": "Zürich"}))
print(json.dumps({"city": "Zürich"}, ensure_ascii=False))
print(json.dumps("tab\there"))
print(json.dumps(1e20), json.dumps(3.0), json.dumps(-0.5))
