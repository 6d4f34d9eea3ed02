from functools import cache, partial, reduce

@cache
def ways(n):
    if n <= 1:
        return 1
    return ways(n - 1) + ways(n - 2)

print(ways(50))
pow2 = partial(pow, 2)
print(pow2(10))
print(reduce(lambda a, b: a * b, range(1, 6)))
