from collections import defaultdict

counts = defaultdict(int)
for ch in "banana":
    counts[ch] += 1
for k, v in sorted(counts.items()):
    print(k, v)
print(sorted(counts.keys()), sum(counts.values()))
print(dict(sorted(counts.items())))
