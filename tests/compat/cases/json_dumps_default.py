import json
from datetime import date

def enc(o):
    if isinstance(o, date):
        return o.isoformat()
    raise TypeError(f"not serializable: {type(o).__name__}")

print(json.dumps({"when": date(2024, 1, 2)}, default=enc))
try:
    json.dumps({"s": {1, 2}}, default=enc)
except TypeError as e:
    print("TypeError", e)
