import json

cfg = {"version": 2, "items": [1, 2, 3]}
with open("/tmp/cfg.json", "w") as f:
    json.dump(cfg, f, indent=2)
with open("/tmp/cfg.json") as f:
    loaded = json.load(f)
print(loaded == cfg, loaded["items"])
print(open("/tmp/cfg.json").read())
