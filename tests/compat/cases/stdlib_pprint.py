from pprint import pprint, pformat

data = {"b": [1, 2, 3], "a": {"x": 1, "y": [4, 5]}, "c": "text"}
pprint(data)
print(pformat([1, 2, 3]))
big = {"key%d" % i: list(range(i)) for i in range(6)}
pprint(big, width=40)
