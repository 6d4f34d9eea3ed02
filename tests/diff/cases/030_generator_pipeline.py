log = """INFO start
WARN disk 80%
ERROR db timeout
INFO request /a
ERROR cache miss
INFO request /b
WARN slow query"""
def lines(text):
    for line in text.split("\n"):
        yield line
def parse(ls):
    for l in ls:
        level, _, msg = l.partition(" ")
        yield level, msg
def only(levels, pairs):
    for lvl, msg in pairs:
        if lvl in levels:
            yield msg
for msg in only(("ERROR", "WARN"), parse(lines(log))):
    print("!", msg)
print(sum(1 for _ in parse(lines(log))))
