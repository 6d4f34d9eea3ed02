def g(n):
    for i in range(n):
        yield i
print(sum(g(10)), list(zip(g(3), 'abc')))
