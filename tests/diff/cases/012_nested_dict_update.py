config = {"db": {"host": "localhost", "port": 5432}, "debug": False, "tags": ["a"]}
override = {"db": {"port": 6543, "user": "admin"}, "debug": True, "tags": ["b", "c"]}
def deep_merge(base, extra):
    out = dict(base)
    for k, v in extra.items():
        if k in out and isinstance(out[k], dict) and isinstance(v, dict):
            out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out
merged = deep_merge(config, override)
def show(d, indent=0):
    for k in sorted(d):
        v = d[k]
        if isinstance(v, dict):
            print(" " * indent + k + ":")
            show(v, indent + 2)
        else:
            print(" " * indent + k + " = " + repr(v))
show(merged)
print(config["db"]["port"])
