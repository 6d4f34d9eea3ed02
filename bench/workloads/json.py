# json.dumps then json.loads of a list of 20,000 small dicts (~1.3 MB of JSON).
# Building the data is set-up, outside the timed part.
import json
data = [{"id": i, "name": "item%d" % i, "ok": i % 2 == 0, "tags": ["x", "y"], "score": i * 0.5}
        for i in range(20000)]
# --- run ---
s = json.dumps(data)
back = json.loads(s)
assert len(back) == 20000 and back[-1]["id"] == 19999
