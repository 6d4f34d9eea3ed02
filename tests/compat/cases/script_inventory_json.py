import json
from typing import Any

inventory_json = """
{"warehouse": "W1",
 "items": [
   {"sku": "A-100", "name": "bolt", "qty": 500, "reorder": 100, "cost": 0.05},
   {"sku": "B-200", "name": "nut", "qty": 40, "reorder": 100, "cost": 0.03},
   {"sku": "C-300", "name": "gear", "qty": 12, "reorder": 10, "cost": 4.5},
   {"sku": "D-400", "name": "belt", "qty": 0, "reorder": 5, "cost": 12.0}
 ]}
"""

def needs_reorder(item: dict[str, Any]) -> bool:
    return item["qty"] < item["reorder"]

data = json.loads(inventory_json)
low = [i for i in data["items"] if needs_reorder(i)]
value = sum(i["qty"] * i["cost"] for i in data["items"])
report = {
    "warehouse": data["warehouse"],
    "stock_value": round(value, 2),
    "reorder": [{"sku": i["sku"], "short_by": i["reorder"] - i["qty"]} for i in low],
}
print(json.dumps(report, indent=2))
