def inner(n):
    for i in range(n):
        yield i
    return n * 10
def outer():
    r1 = yield from inner(3)
    r2 = yield from inner(2)
    yield ("results", r1, r2)
print(list(outer()))
def walk(tree):
    if isinstance(tree, list):
        for t in tree:
            yield from walk(t)
    else:
        yield tree
print(list(walk([1, [2, [3, 4], [[5]]], 6])))
