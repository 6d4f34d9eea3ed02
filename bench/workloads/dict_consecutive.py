# A dict of 100,000 consecutive int keys: filled, then every key read back.
# --- run ---
d = {}
for i in range(100000):
    d[i] = i
t = 0
for i in range(100000):
    t += d[i]
assert len(d) == 100000 and t == 4999950000, (len(d), t)
