import re

log = "2024-03-01 12:00:01 ERROR disk full"
m = re.match(r"(?P<date>\S+) (?P<time>\S+) (?P<level>[A-Z]+) (?P<msg>.*)", log)
print(m.group("level"), m.group("msg"))
print(m.groupdict())
