# A dict of 40,000 str keys ("k0".."k39999", made in the set-up): filled,
# then read back.
keys = ["k%d" % i for i in range(40000)]
# --- run ---
d = {}
for k in keys:
    d[k] = 1
hits = 0
for k in keys:
    hits += d[k]
assert len(d) == 40000 and hits == 40000, (len(d), hits)
