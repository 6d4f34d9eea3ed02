a, b, *rest = [1, 2, 3, 4, 5]
a, b = b, a
print(a, b, rest, rest + list("xy"), dict(k=1, **{"j": 2}) == {"k": 1, "j": 2})
