# A dict of 40,000 scattered int keys (a fixed pseudo-random sequence, the
# same in every runtime): filled, read back, and 40,000 misses.
keys = []
x = 12345
for i in range(40000):
    x = (x * 1103515245 + 12345) % 2147483648
    keys.append(x >> 1)
# --- run ---
d = {}
for k in keys:
    d[k] = 1
hits = 0
for k in keys:
    hits += d[k]
misses = 0
for k in keys:
    if k + 1 not in d:
        misses += 1
assert hits == 40000 and misses > 39000, (hits, misses)
