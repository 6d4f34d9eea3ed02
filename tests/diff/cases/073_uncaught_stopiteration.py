it = iter(["a", "b"])
print(next(it))
print(next(it))
print(next(it))
