# json.loads of about 1 MB of records (the scaling rows: 8 KB, 64 KB, 1 MB).
# The text is built by hand in the set-up, outside the timed part.
import json
rec = '{"id": %d, "name": "item%d", "ok": true, "tags": ["x", "y"], "score": %d.5}'
S = "[" + ", ".join([rec % (i, i, i) for i in range(1048576 // 80)]) + "]"
# --- run ---
o = json.loads(S)
assert len(o) == 1048576 // 80 and o[-1]["tags"] == ["x", "y"]
