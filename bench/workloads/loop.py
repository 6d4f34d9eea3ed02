# A 3,000,000-iteration integer arithmetic loop inside a function
# (values stay below 2**30, so no bignum allocation on any runtime).
def loop(n):
    x = 0
    for i in range(n):
        x = (x * 31 + i) % 1000003
    return x
# --- run ---
r = loop(3000000)
assert 0 <= r < 1000003, r
