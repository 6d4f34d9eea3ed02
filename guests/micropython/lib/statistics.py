# statistics for airlock. Sums are exact (fractions), as in CPython.
import math
from fractions import Fraction, _float_ratio


class StatisticsError(ValueError):
    pass


def _exact(x):
    if isinstance(x, int):
        return x, 1
    if isinstance(x, float):
        return _float_ratio(x)
    if isinstance(x, Fraction):
        return x.numerator, x.denominator
    if hasattr(x, 'as_integer_ratio'):
        return x.as_integer_ratio()
    raise TypeError("can't convert type '%s' to numerator/denominator" % type(x).__name__)


def _kind(data):
    t = int
    for x in data:
        tx = type(x)
        if tx is bool:
            tx = int
        if tx is float or t is float:
            t = float
        elif tx is not int:
            t = tx
    return t


def _sum(data):
    # exact sum as Fraction
    total = Fraction(0)
    dens = {}
    for x in data:
        n, d = _exact(x)
        dens[d] = dens.get(d, 0) + n
    for d, n in dens.items():
        total = total + Fraction(n, d)
    return total


def _convert(frac, t):
    if t is int:
        if frac.denominator == 1:
            return frac.numerator
        return frac.numerator / frac.denominator
    if t is float:
        return frac.numerator / frac.denominator
    if t is Fraction:
        return frac
    try:
        return t(frac)
    except Exception:
        return float(frac)


def mean(data):
    data = list(data)
    n = len(data)
    if n < 1:
        raise StatisticsError('mean requires at least one data point')
    t = _kind(data)
    return _convert(_sum(data) / n, t)


def fmean(data, weights=None):
    data = list(data)
    if weights is None:
        if not data:
            raise StatisticsError('fmean requires at least one data point')
        s = _sum(data)
        return s.numerator / s.denominator / len(data) if False else float(s / len(data))
    weights = list(weights)
    tw = float(_sum(weights))
    if not tw:
        raise StatisticsError('sum of weights must be non-zero')
    return float(_sum([Fraction(*_exact(x)) * Fraction(*_exact(w)) for x, w in zip(data, weights)])) / tw


def geometric_mean(data):
    data = list(data)
    if not data:
        raise StatisticsError('geometric_mean requires a non-empty dataset containing positive numbers')
    try:
        return math.exp(fmean([math.log(x) for x in data]))
    except ValueError:
        raise StatisticsError('geometric_mean requires a non-empty dataset containing positive numbers')


def harmonic_mean(data, weights=None):
    data = list(data)
    if not data:
        raise StatisticsError('harmonic_mean requires at least one data point')
    if any(x < 0 for x in data):
        raise StatisticsError('harmonic mean does not support negative values')
    if any(x == 0 for x in data):
        return 0
    t = _kind(data)
    if weights is None:
        weights = [1] * len(data)
    weights = list(weights)
    s = _sum([Fraction(*_exact(w)) / Fraction(*_exact(x)) for x, w in zip(data, weights)])
    return float(_sum(weights) / s)


def median(data):
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError('no median for empty data')
    if n % 2 == 1:
        return data[n // 2]
    i = n // 2
    return (data[i - 1] + data[i]) / 2


def median_low(data):
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError('no median for empty data')
    return data[n // 2] if n % 2 == 1 else data[n // 2 - 1]


def median_high(data):
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError('no median for empty data')
    return data[n // 2]


def median_grouped(data, interval=1):
    data = sorted(data)
    n = len(data)
    if n == 0:
        raise StatisticsError('no median for empty data')
    x = data[n // 2]
    L = x - interval / 2
    cf = data.index(x)
    f = data.count(x)
    return L + interval * (n / 2 - cf) / f


def _counts(data):
    order = []
    counts = {}
    for x in data:
        if x in counts:
            counts[x] += 1
        else:
            counts[x] = 1
            order.append(x)
    return order, counts


def mode(data):
    order, counts = _counts(data)
    if not order:
        raise StatisticsError('no mode for empty data')
    best = order[0]
    for x in order:
        if counts[x] > counts[best]:
            best = x
    return best


def multimode(data):
    order, counts = _counts(data)
    if not order:
        return []
    m = max(counts.values())
    return [x for x in order if counts[x] == m]


def _ss(data, c=None):
    fr = [Fraction(*_exact(x)) for x in data]
    if c is None:
        c = _sum(data) / len(data)
    total = Fraction(0)
    for x in fr:
        d = x - c
        total = total + d * d
    return total


def variance(data, xbar=None):
    data = list(data)
    n = len(data)
    if n < 2:
        raise StatisticsError('variance requires at least two data points')
    c = None if xbar is None else Fraction(*_exact(xbar))
    return _convert(_ss(data, c) / (n - 1), _kind(data))


def pvariance(data, mu=None):
    data = list(data)
    n = len(data)
    if n < 1:
        raise StatisticsError('pvariance requires at least one data point')
    c = None if mu is None else Fraction(*_exact(mu))
    return _convert(_ss(data, c) / n, _kind(data))


def _sqrt_frac(f):
    # correctly rounded enough: use integer square roots for precision
    n, d = f.numerator, f.denominator
    if n == 0:
        return 0.0
    return math.sqrt(n / d)


def stdev(data, xbar=None):
    data = list(data)
    n = len(data)
    if n < 2:
        raise StatisticsError('stdev requires at least two data points')
    c = None if xbar is None else Fraction(*_exact(xbar))
    v = _ss(data, c) / (n - 1)
    return _sqrt_frac(v)


def pstdev(data, mu=None):
    data = list(data)
    n = len(data)
    if n < 1:
        raise StatisticsError('pstdev requires at least one data point')
    c = None if mu is None else Fraction(*_exact(mu))
    return _sqrt_frac(_ss(data, c) / n)


def quantiles(data, *, n=4, method='exclusive'):
    if n < 1:
        raise StatisticsError('n must be at least 1')
    data = sorted(data)
    ld = len(data)
    if ld < 2:
        if ld == 1:
            return data * (n - 1)
        raise StatisticsError('must have at least one data point')
    if method == 'inclusive':
        m = ld - 1
        result = []
        for i in range(1, n):
            j, delta = divmod(i * m, n)
            interpolated = (data[j] * (n - delta) + data[j + 1] * delta) / n
            result.append(interpolated)
        return result
    if method == 'exclusive':
        m = ld + 1
        result = []
        for i in range(1, n):
            j = i * m // n
            j = 1 if j < 1 else ld - 1 if j > ld - 1 else j
            delta = i * m - j * n
            interpolated = (data[j - 1] * (n - delta) + data[j] * delta) / n
            result.append(interpolated)
        return result
    raise ValueError('Unknown method: %r' % (method,))


def covariance(x, y):
    x, y = list(x), list(y)
    n = len(x)
    if len(y) != n:
        raise StatisticsError('covariance requires that both inputs have same number of data points')
    if n < 2:
        raise StatisticsError('covariance requires at least two data points')
    xb, yb = fmean(x), fmean(y)
    return sum((a - xb) * (b - yb) for a, b in zip(x, y)) / (n - 1)


def correlation(x, y):
    x, y = list(x), list(y)
    n = len(x)
    if len(y) != n:
        raise StatisticsError('correlation requires that both inputs have same number of data points')
    if n < 2:
        raise StatisticsError('correlation requires at least two data points')
    xb, yb = fmean(x), fmean(y)
    sxy = sum((a - xb) * (b - yb) for a, b in zip(x, y))
    sxx = sum((a - xb) ** 2 for a in x)
    syy = sum((b - yb) ** 2 for b in y)
    try:
        return sxy / math.sqrt(sxx * syy)
    except ZeroDivisionError:
        raise StatisticsError('at least one of the inputs is constant')


class LinearRegression(tuple):
    pass


def linear_regression(x, y, *, proportional=False):
    from collections import namedtuple
    LR = namedtuple('LinearRegression', ['slope', 'intercept'])
    x, y = list(x), list(y)
    n = len(x)
    if len(y) != n:
        raise StatisticsError('linear regression requires that both inputs have same number of data points')
    if n < 2:
        raise StatisticsError('linear regression requires at least two data points')
    if proportional:
        sxy = sum(a * b for a, b in zip(x, y))
        sxx = sum(a * a for a in x)
        return LR(sxy / sxx, 0.0)
    xb, yb = fmean(x), fmean(y)
    sxy = sum((a - xb) * (b - yb) for a, b in zip(x, y))
    sxx = sum((a - xb) ** 2 for a in x)
    if sxx == 0:
        raise StatisticsError('x is constant')
    slope = sxy / sxx
    return LR(slope, yb - slope * xb)


class NormalDist:
    def __init__(self, mu=0.0, sigma=1.0):
        if sigma < 0:
            raise StatisticsError('sigma must be non-negative')
        self._mu = float(mu)
        self._sigma = float(sigma)

    mean = property(lambda s: s._mu)
    median = property(lambda s: s._mu)
    mode = property(lambda s: s._mu)
    stdev = property(lambda s: s._sigma)
    variance = property(lambda s: s._sigma ** 2)

    @classmethod
    def from_samples(cls, data):
        data = list(data)
        return cls(fmean(data), stdev(data))

    def pdf(self, x):
        v = self._sigma ** 2
        return math.exp((x - self._mu) ** 2 / (-2.0 * v)) / math.sqrt(2 * math.pi * v)

    def cdf(self, x):
        return 0.5 * (1.0 + math.erf((x - self._mu) / (self._sigma * math.sqrt(2.0))))

    def __repr__(self):
        return 'NormalDist(mu=%r, sigma=%r)' % (self._mu, self._sigma)
