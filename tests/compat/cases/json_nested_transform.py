import json

payload = """
[{"dept": "eng", "people": [{"n": "a", "sal": 100}, {"n": "b", "sal": 120}]},
 {"dept": "ops", "people": [{"n": "c", "sal": 90}]}]
"""
depts = json.loads(payload)
summary = [{"dept": d["dept"], "total": sum(p["sal"] for p in d["people"]),
            "headcount": len(d["people"])} for d in depts]
print(json.dumps(summary, indent=2))
