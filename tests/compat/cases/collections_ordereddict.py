from collections import OrderedDict

od = OrderedDict()
od["b"] = 2
od["a"] = 1
od["c"] = 3
print(list(od.keys()))
od.move_to_end("b")
print(list(od))
od.popitem(last=False)
print(list(od.items()))
