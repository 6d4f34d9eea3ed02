data = [3, 7, 7, 2, 9, 4, 4, 4, 1, 8, 7, 5, 5, 6, 3]
buckets = {}
for x in data:
    b = (x - 1) // 3
    buckets[b] = buckets.get(b, 0) + 1
for b in range(max(buckets) + 1):
    lo, hi = b * 3 + 1, b * 3 + 3
    print("%d-%d %s" % (lo, hi, "*" * buckets.get(b, 0)))
