from collections import Counter

values = [3, 7, 2, 9, 4, 4, 8, 1, 6, 7, 7, 2, 5, 9, 10, 3]
bins = Counter((v - 1) // 3 for v in values)
for b in range(max(bins) + 1):
    lo, hi = b * 3 + 1, b * 3 + 3
    bar = "#" * bins.get(b, 0)
    print(f"{lo:>2}-{hi:<2} | {bar:<6} {bins.get(b, 0)}")
print(f"n={len(values)} min={min(values)} max={max(values)}")
