def flatten(items):
    out = []
    for x in items:
        if isinstance(x, (list, tuple)):
            out.extend(flatten(x))
        else:
            out.append(x)
    return out
data = [1, [2, [3, [4, 5]], 6], (7, 8), [[[[9]]]], []]
print(flatten(data))
print(len(flatten(data)), sum(flatten(data)))
