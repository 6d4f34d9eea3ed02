from collections import defaultdict

pairs = [("fruit", "apple"), ("veg", "kale"), ("fruit", "fig"), ("veg", "leek")]
groups = defaultdict(list)
for k, v in pairs:
    groups[k].append(v)
for k in sorted(groups):
    print(k, groups[k])
print(len(groups), "missing" in groups)
