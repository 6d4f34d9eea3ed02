import re
from collections import Counter, defaultdict
from datetime import datetime

LOG = """2024-04-01 10:00:01 INFO  user=alice action=login
2024-04-01 10:02:13 WARN  user=bob action=login attempts=3
2024-04-01 10:05:55 ERROR user=alice action=upload size=10MB
2024-04-01 11:15:00 INFO  user=carol action=login
2024-04-01 11:16:42 ERROR user=bob action=download
2024-04-01 12:00:00 INFO  user=alice action=logout
"""

pattern = re.compile(r"^(?P<ts>\S+ \S+) (?P<level>\w+)\s+(?P<rest>.*)$")
levels = Counter()
per_user = defaultdict(list)
hours = Counter()
for line in LOG.strip().splitlines():
    m = pattern.match(line)
    if not m:
        continue
    ts = datetime.strptime(m.group("ts"), "%Y-%m-%d %H:%M:%S")
    levels[m.group("level")] += 1
    hours[ts.hour] += 1
    fields = dict(kv.split("=") for kv in m.group("rest").split())
    per_user[fields["user"]].append(fields["action"])

print("levels:", sorted(levels.items()))
for user in sorted(per_user):
    print(f"{user:>6}: {', '.join(per_user[user])}")
busiest = max(hours.items(), key=lambda kv: (kv[1], -kv[0]))
print(f"busiest hour: {busiest[0]:02d}:00 ({busiest[1]} events)")
