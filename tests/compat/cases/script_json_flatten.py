import json
from typing import Any, Dict

def flatten(obj: Any, prefix: str = "") -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out.update(flatten(v, f"{prefix}{i}."))
    else:
        out[prefix[:-1]] = obj
    return out

doc = json.loads('{"a": {"b": 1, "c": [10, 20]}, "d": "x", "e": {"f": {"g": null}}}')
flat = flatten(doc)
for k in sorted(flat):
    print(f"{k} = {json.dumps(flat[k])}")
