stats = {}
def memoize(fn):
    cache = {}
    def wrapper(n):
        if n not in cache:
            stats[fn.__name__] = stats.get(fn.__name__, 0) + 1
            cache[n] = fn(n)
        return cache[n]
    return wrapper
@memoize
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)
for k in range(0, 91, 10):
    fib(k)
print(fib(90), stats)
def tag(name):
    def deco(fn):
        def inner(*args, **kwargs):
            return "<%s>%s</%s>" % (name, fn(*args, **kwargs), name)
        return inner
    return deco
@tag("b")
@tag("i")
def greet(who, punct="!"):
    return "hi " + who + punct
print(greet("bob"), greet("amy", punct="?"))
