# fractions for airlock.
import math


def _gcd(a, b):
    while b:
        a, b = b, a % b
    return abs(a)


def _float_ratio(f):
    if f != f or f in (float('inf'), -float('inf')):
        raise ValueError('cannot convert %r to integer ratio' % f)
    m, e = math.frexp(f)
    n = int(m * (1 << 53))
    e -= 53
    if e >= 0:
        return n << e, 1
    return n, 1 << -e


class Fraction:
    __slots__ = ('_n', '_d')

    def __init__(self, numerator=0, denominator=None):
        if denominator is None:
            if isinstance(numerator, Fraction):
                n, d = numerator._n, numerator._d
            elif isinstance(numerator, int):
                n, d = numerator, 1
            elif isinstance(numerator, float):
                n, d = _float_ratio(numerator)
            elif isinstance(numerator, str):
                n, d = self._parse(numerator)
            elif hasattr(numerator, 'as_integer_ratio'):
                n, d = numerator.as_integer_ratio()
            else:
                raise TypeError('argument should be a string or a Rational instance')
        else:
            a, b = Fraction(numerator), Fraction(denominator)
            n, d = a._n * b._d, a._d * b._n
            if d == 0:
                raise ZeroDivisionError('Fraction(%s, 0)' % numerator)
        if d < 0:
            n, d = -n, -d
        g = _gcd(n, d)
        if g > 1:
            n //= g
            d //= g
        self._n = n
        self._d = d

    @staticmethod
    def _parse(s):
        s = s.strip()
        if '/' in s:
            a, b = s.split('/')
            n, d = int(a), int(b)
            if d == 0:
                raise ZeroDivisionError('Fraction(%s, 0)' % a)
            return n, d
        mant, exp = s, 0
        for e in 'eE':
            if e in s:
                mant, ex = s.split(e)
                exp = int(ex)
        sign = 1
        if mant[:1] in '+-':
            sign = -1 if mant[0] == '-' else 1
            mant = mant[1:]
        if '.' in mant:
            a, b = mant.split('.')
            n = int((a or '0') + b)
            d = 10 ** len(b)
        else:
            n, d = int(mant), 1
        if exp > 0:
            n *= 10 ** exp
        elif exp < 0:
            d *= 10 ** -exp
        return sign * n, d

    numerator = property(lambda self: self._n)
    denominator = property(lambda self: self._d)

    @classmethod
    def from_float(cls, f):
        return cls(f)

    @classmethod
    def from_decimal(cls, d):
        return cls(str(d))

    def as_integer_ratio(self):
        return (self._n, self._d)

    def limit_denominator(self, max_denominator=1000000):
        if self._d <= max_denominator:
            return Fraction(self)
        p0, q0, p1, q1 = 0, 1, 1, 0
        n, d = self._n, self._d
        while True:
            a = n // d
            q2 = q0 + a * q1
            if q2 > max_denominator:
                break
            p0, q0, p1, q1 = p1, q1, p0 + a * p1, q2
            n, d = d, n - a * d
        k = (max_denominator - q0) // q1
        b1 = Fraction(p0 + k * p1, q0 + k * q1)
        b2 = Fraction(p1, q1)
        return b2 if abs(b2 - self) <= abs(b1 - self) else b1

    def __repr__(self):
        return 'Fraction(%d, %d)' % (self._n, self._d)

    def __str__(self):
        return str(self._n) if self._d == 1 else '%d/%d' % (self._n, self._d)

    def __format__(self, spec):
        if not spec:
            return str(self)
        return format(float(self), spec)

    @staticmethod
    def _c(o):
        if isinstance(o, Fraction):
            return o
        if isinstance(o, int):
            return Fraction(o)
        return None

    def _op(self, o, f, fl):
        b = self._c(o)
        if b is None:
            if isinstance(o, float):
                return fl(float(self), o)
            return NotImplemented
        return f(self, b)

    def __add__(a, b):
        return a._op(b, lambda x, y: Fraction(x._n * y._d + y._n * x._d, x._d * y._d), lambda x, y: x + y)

    def __radd__(a, b):
        return a._op(b, lambda x, y: Fraction(x._n * y._d + y._n * x._d, x._d * y._d), lambda x, y: y + x)

    def __sub__(a, b):
        return a._op(b, lambda x, y: Fraction(x._n * y._d - y._n * x._d, x._d * y._d), lambda x, y: x - y)

    def __rsub__(a, b):
        return a._op(b, lambda x, y: Fraction(y._n * x._d - x._n * y._d, x._d * y._d), lambda x, y: y - x)

    def __mul__(a, b):
        return a._op(b, lambda x, y: Fraction(x._n * y._n, x._d * y._d), lambda x, y: x * y)

    __rmul__ = __mul__

    def __truediv__(a, b):
        return a._op(b, lambda x, y: Fraction(x._n * y._d, x._d * y._n), lambda x, y: x / y)

    def __rtruediv__(a, b):
        return a._op(b, lambda x, y: Fraction(y._n * x._d, y._d * x._n), lambda x, y: y / x)

    def __floordiv__(a, b):
        r = a / b
        return math.floor(r) if isinstance(r, float) else r._n // r._d

    def __mod__(a, b):
        return a - b * (a // b)

    def __pow__(a, b):
        if isinstance(b, int):
            if b >= 0:
                return Fraction(a._n ** b, a._d ** b)
            return Fraction(a._d ** -b, a._n ** -b)
        return float(a) ** float(b)

    def __neg__(a):
        return Fraction(-a._n, a._d)

    def __pos__(a):
        return a

    def __abs__(a):
        return Fraction(abs(a._n), a._d)

    def __float__(a):
        return a._n / a._d

    def __int__(a):
        return -((-a._n) // a._d) if a._n < 0 else a._n // a._d

    def __trunc__(a):
        return int(a)

    def __floor__(a):
        return a._n // a._d

    def __ceil__(a):
        return -((-a._n) // a._d)

    def __round__(a, nd=None):
        if nd is None:
            q, r = divmod(a._n, a._d)
            if 2 * r > a._d or (2 * r == a._d and q % 2):
                q += 1
            return q
        s = 10 ** abs(nd)
        if nd > 0:
            return Fraction(round(a * s), s)
        return Fraction(round(a / s) * s)

    def _cmp(a, b):
        c = a._c(b)
        if c is None:
            if isinstance(b, float):
                x = float(a)
                return (x > b) - (x < b)
            return None
        l, r = a._n * c._d, c._n * a._d
        return (l > r) - (l < r)

    def __eq__(a, b):
        c = a._cmp(b)
        return c == 0 if c is not None else False

    def __lt__(a, b):
        return a._cmp(b) < 0

    def __le__(a, b):
        return a._cmp(b) <= 0

    def __gt__(a, b):
        return a._cmp(b) > 0

    def __ge__(a, b):
        return a._cmp(b) >= 0

    def __bool__(a):
        return a._n != 0

    def __hash__(a):
        if a._d == 1:
            return hash(a._n)
        return hash(float(a))
