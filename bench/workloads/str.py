# Build a 1,000,000-byte string from 100,000 formatted pieces, then search it
# (find a late substring, count a digit pair, and a full-scan miss).
# --- run ---
parts = []
for i in range(100000):
    parts.append("%09d\n" % i)
s = "".join(parts)
assert len(s) == 1000000
p = s.find("000099999")
n = s.count("77")
miss = "needle" in s
assert p == 999990 and not miss, (p, miss)
