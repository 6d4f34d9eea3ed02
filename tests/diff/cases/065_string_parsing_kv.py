line = "host=db.internal; port=5432 ;user = admin;  timeout=30; ssl=true"
pairs = {}
for part in line.split(";"):
    part = part.strip()
    if not part:
        continue
    k, _, v = part.partition("=")
    pairs[k.strip()] = v.strip()
def coerce(v):
    if v.isdigit():
        return int(v)
    if v in ("true", "false"):
        return v == "true"
    return v
typed = {k: coerce(v) for k, v in pairs.items()}
for k in sorted(typed):
    print(k, type(typed[k]).__name__, typed[k])
