import json
from collections import OrderedDict
raw_events = [
    "2024-03-01T10:00 user=ann action=login",
    "2024-03-01T10:05 user=bob action=login",
    "2024-03-01T10:07 user=ann action=upload size=120",
    "2024-03-01T10:09 user=ann action=upload size=80",
    "2024-03-01T10:15 user=bob action=upload size=300",
    "2024-03-01T10:20 user=ann action=logout",
    "2024-03-01T10:30 user=cy action=upload size=5",
]
def parse(line):
    ts, *fields = line.split()
    rec = {"ts": ts}
    for f in fields:
        k, v = f.split("=")
        rec[k] = int(v) if v.isdigit() else v
    return rec
events = [parse(l) for l in raw_events]
summary = OrderedDict()
for e in events:
    u = summary.setdefault(e["user"], {"uploads": 0, "bytes": 0, "sessions": 0})
    if e["action"] == "upload":
        u["uploads"] += 1
        u["bytes"] += e["size"]
    elif e["action"] == "login":
        u["sessions"] += 1
anomalies = [u for u, s in summary.items() if s["uploads"] and not s["sessions"]]
report = {"users": len(summary), "total_bytes": sum(s["bytes"] for s in summary.values()),
          "anomalies": anomalies, "top": max(summary, key=lambda u: summary[u]["bytes"])}
for user, s in summary.items():
    print("%-4s uploads=%d bytes=%4d sessions=%d" % (user, s["uploads"], s["bytes"], s["sessions"]))
print(json.dumps(report))
