from collections import OrderedDict
od = OrderedDict()
od["zebra"] = 1
od["apple"] = 2
od["mango"] = 3
print(list(od.keys()), list(od.values()))
od["apple"] = 20
del od["zebra"]
od["kiwi"] = 4
print(list(od.items()))
lru = OrderedDict()
def access(key, cap=3):
    if key in lru:
        v = lru.pop(key)
    else:
        v = key.upper()
    lru[key] = v
    while len(lru) > cap:
        oldest = next(iter(lru))
        del lru[oldest]
for k in ["a", "b", "c", "a", "d", "b", "e"]:
    access(k)
print(list(lru))
