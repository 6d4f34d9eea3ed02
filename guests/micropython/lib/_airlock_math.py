# math for airlock (registered as sys.modules['math'] by _airlock_site): the
# guest's math plus the integer and helper functions.
import _airlock_reexport
_m = _airlock_reexport.into(globals(), 'math')
del _airlock_reexport


def gcd(*ints):
    g = 0
    for b in ints:
        a = abs(int(b))
        while a:
            g, a = a, g % a
    return abs(g)


def lcm(*ints):
    r = 1
    for x in ints:
        x = int(x)
        if x == 0:
            return 0
        r = abs(r * x) // gcd(r, x)
    return r


def isqrt(n):
    n = int(n)
    if n < 0:
        raise ValueError('isqrt() argument must be nonnegative')
    if n == 0:
        return 0
    x = 1 << ((n.bit_length() if hasattr(n, 'bit_length') else len(bin(n)) - 2) + 1) // 2
    while True:
        y = (x + n // x) // 2
        if y >= x:
            return x
        x = y


def comb(n, k):
    if k < 0 or n < 0:
        raise ValueError('n must be a non-negative integer' if n < 0 else 'k must be a non-negative integer')
    if k > n:
        return 0
    k = min(k, n - k)
    r = 1
    for i in range(1, k + 1):
        r = r * (n - k + i) // i
    return r


def perm(n, k=None):
    if k is None:
        k = n
    if k > n:
        return 0
    r = 1
    for i in range(n - k + 1, n + 1):
        r *= i
    return r


def prod(iterable, *, start=1):
    r = start
    for x in iterable:
        r = r * x
    return r


def dist(p, q):
    return _m.sqrt(sum((a - b) ** 2 for a, b in zip(p, q)))


def hypot(*coords):
    return _m.sqrt(sum(x * x for x in coords))


def fsum(iterable):
    from fractions import Fraction
    t = Fraction(0)
    for x in iterable:
        t = t + Fraction(x)
    return float(t)


def remainder(x, y):
    n = round(x / y)
    return x - n * y


def nextafter(x, y):
    if x == y:
        return y
    m, e = _m.frexp(x)
    step = _m.ldexp(1.0, e - 53) if x != 0 else 5e-324
    return x + step if y > x else x - step


def ulp(x):
    m, e = _m.frexp(abs(x))
    return _m.ldexp(1.0, e - 53)


def cbrt(x):
    return x ** (1 / 3) if x >= 0 else -((-x) ** (1 / 3))


def exp2(x):
    return 2.0 ** x
