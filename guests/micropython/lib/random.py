# random for airlock: the guest's generator plus CPython's helpers. Sequences
# differ from CPython's Mersenne Twister even with the same seed.
import _airlock_reexport
_r = _airlock_reexport.into(globals(), 'random')
del _airlock_reexport
_rb = _r.getrandbits
_native = dict((k, getattr(_r, k)) for k in dir(_r) if not k.startswith('_'))


def random():
    return _rb(32) / 4294967296.0 + _rb(21) / 9007199254740992.0 if False else (_rb(26) * 67108864.0 + _rb(27)) * (1.0 / 9007199254740992.0)


def randrange(start, stop=None, step=1):
    if stop is None:
        start, stop = 0, start
    n = (stop - start + step - 1) // step if step > 0 else (start - stop - step - 1) // -step
    if n <= 0:
        raise ValueError('empty range for randrange()')
    return start + step * _below(n)


def _below(n):
    k = len(bin(n)) - 2
    while True:
        r = _rb(k) if k <= 32 else _big(k)
        if r < n:
            return r


def _big(k):
    r = 0
    got = 0
    while got < k:
        take = min(32, k - got)
        r = (r << take) | _rb(take)
        got += take
    return r


def randint(a, b):
    return randrange(a, b + 1)


def choice(seq):
    if not len(seq):
        raise IndexError('Cannot choose from an empty sequence')
    return seq[_below(len(seq))]


def shuffle(x):
    for i in range(len(x) - 1, 0, -1):
        j = _below(i + 1)
        x[i], x[j] = x[j], x[i]


def sample(population, k, *, counts=None):
    pool = list(population)
    if counts is not None:
        pool = [x for x, c in zip(pool, counts) for _ in range(c)]
    if k < 0 or k > len(pool):
        raise ValueError('Sample larger than population or is negative')
    out = []
    for i in range(k):
        j = _below(len(pool))
        out.append(pool.pop(j))
    return out


def choices(population, weights=None, *, cum_weights=None, k=1):
    n = len(population)
    if cum_weights is None:
        if weights is None:
            return [population[_below(n)] for _ in range(k)]
        cum_weights = []
        t = 0
        for w in weights:
            t += w
            cum_weights.append(t)
    total = cum_weights[-1]
    import bisect
    return [population[bisect.bisect(cum_weights, random() * total, 0, n - 1)] for _ in range(k)]


def uniform(a, b):
    return a + (b - a) * random()


def gauss(mu=0.0, sigma=1.0):
    import math
    u1 = 1.0 - random()
    u2 = random()
    return mu + sigma * math.sqrt(-2.0 * math.log(u1)) * math.cos(2 * math.pi * u2)


normalvariate = gauss


def expovariate(lambd=1.0):
    import math
    return -math.log(1.0 - random()) / lambd


def triangular(low=0.0, high=1.0, mode=None):
    u = random()
    c = 0.5 if mode is None else (mode - low) / (high - low)
    if u > c:
        u, c, low, high = 1.0 - u, 1.0 - c, high, low
    return low + (high - low) * (u * c) ** 0.5


def randbytes(n):
    return bytes(_rb(8) for _ in range(n))


class Random:
    def __init__(self, seed=None):
        if seed is not None:
            _r.seed(seed)

    def seed(self, a=None):
        _r.seed(a)


# keep the guest's own functions where it has them (same numbers as plain
# MicroPython); ours only fill the gaps
for _n in list(_native):
    globals()[_n] = _native[_n]
del _n
random_ = random

for _n in ('random', 'randrange', 'randint', 'choice', 'shuffle', 'sample', 'choices', 'uniform', 'gauss'):
    setattr(Random, _n, (lambda f: lambda self, *a, **k: f(*a, **k))(globals()[_n]))
del _n
