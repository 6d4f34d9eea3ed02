import copy

orig = {"a": [1, 2], "b": {"c": 3}}
shallow = copy.copy(orig)
deep = copy.deepcopy(orig)
orig["a"].append(99)
print(shallow["a"], deep["a"])
print(deep == {"a": [1, 2], "b": {"c": 3}})
