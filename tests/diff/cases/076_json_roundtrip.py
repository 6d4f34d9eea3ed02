import json
doc = {"name": "sensor-7", "ok": True, "readings": [1.5, 2.25, -3], "meta": None,
       "nested": {"tags": ["a", "b"], "count": 2}}
s = json.dumps(doc)
back = json.loads(s)
print(back == doc)
print(json.dumps([1, "two", 3.0, False, None, {"k": [ ]}]))
print(json.dumps("quote\" and \\ and \n newline and é"))
print(json.loads('{"a": [1, 2, {"b": null}], "c": "\\u00e9"}'))
