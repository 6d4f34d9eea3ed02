import re
from collections import Counter

lines = [
    "127.0.0.1 - GET /index.html 200",
    "10.0.0.2 - POST /api/login 401",
    "127.0.0.1 - GET /about 200",
    "10.0.0.3 - GET /index.html 404",
]
pat = re.compile(r"^(\S+) - (GET|POST) (\S+) (\d{3})$")
status = Counter()
ips = set()
for line in lines:
    m = pat.match(line)
    if m:
        ip, method, path, code = m.groups()
        status[code] += 1
        ips.add(ip)
print(sorted(status.items()))
print(sorted(ips))
