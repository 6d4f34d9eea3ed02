class Fib:
    def __init__(self, limit):
        self.limit = limit
    def __iter__(self):
        self.a, self.b = 0, 1
        return self
    def __next__(self):
        if self.a > self.limit:
            raise StopIteration
        v = self.a
        self.a, self.b = self.b, self.a + self.b
        return v
print(list(Fib(100)))
print(max(Fib(1000)), 21 in Fib(50))
it = iter([1, 2])
print(next(it), next(it), next(it, "done"))
