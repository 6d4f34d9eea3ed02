from itertools import groupby

data = [("a", 1), ("a", 2), ("b", 3), ("c", 4), ("c", 5)]
for key, grp in groupby(data, key=lambda t: t[0]):
    print(key, [v for _, v in grp])
print([(k, len(list(g))) for k, g in groupby("aaabccdd")])
