def countdown(n):
    while n > 0:
        yield n
        n -= 1
    yield "liftoff"
print(list(countdown(5)))
def evens_upto(limit):
    for i in range(limit + 1):
        if i % 2 == 0:
            yield i
g = evens_upto(10)
print(next(g), next(g), list(g))
print(sum(x * x for x in range(100)))
