# large dicts and sets with patterned int keys: memo tables, strides, deletes
memo = {1: 1}


def steps(n):
    if n in memo:
        return memo[n]
    r = 1 + steps(n // 2 if n % 2 == 0 else 3 * n + 1)
    memo[n] = r
    return r


best = max(range(1, 3000), key=steps)
print(best, steps(best), len(memo))
d = {k: k * k for k in range(0, 50000, 7)}
for k in range(0, 50000, 14):
    del d[k]
print(len(d), 7 in d, 14 in d, sum(d) % 1000003, min(d), max(d))
for k in range(0, 50000, 14):
    d[k] = -k
print(len(d), d[14], d[21], sorted(d)[:5])
s = set(range(0, 3 << 20, 1 << 10)) | {-1, -2}
s.discard(1 << 10)
print(len(s), (1 << 10) in s, (2 << 10) in s, -2 in s, 5 in s)
print({i: i for i in range(6)}, sorted({-(i * 1000003) for i in range(2000)})[:3])
