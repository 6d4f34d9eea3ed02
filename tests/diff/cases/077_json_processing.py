import json
payload = """
[
  {"id": 1, "user": "ann", "items": [{"sku": "A1", "qty": 2, "price": 3.5}, {"sku": "B2", "qty": 1, "price": 10}]},
  {"id": 2, "user": "bob", "items": []},
  {"id": 3, "user": "ann", "items": [{"sku": "C3", "qty": 5, "price": 1.2}]},
  {"id": 4, "user": "cy", "items": [{"sku": "A1", "qty": 1, "price": 3.5}]}
]
"""
orders = json.loads(payload)
per_user = {}
sku_qty = {}
for o in orders:
    total = sum(i["qty"] * i["price"] for i in o["items"])
    per_user[o["user"]] = per_user.get(o["user"], 0) + total
    for i in o["items"]:
        sku_qty[i["sku"]] = sku_qty.get(i["sku"], 0) + i["qty"]
for u in sorted(per_user):
    print(u, round(per_user[u], 2))
print(sorted(sku_qty.items()))
empty = [o["id"] for o in orders if not o["items"]]
print(json.dumps({"empty_orders": empty, "users": sorted(per_user)}))
