import time
from functools import wraps

def timed(fn):
    @wraps(fn)
    def inner(*a, **kw):
        start = time.perf_counter()
        result = fn(*a, **kw)
        elapsed = time.perf_counter() - start
        print(f"{fn.__name__} ok {elapsed >= 0}")
        return result
    return inner

@timed
def work(n):
    return sum(i * i for i in range(n))

print(work(1000))
