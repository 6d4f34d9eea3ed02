# itertools for airlock: the guest's module plus the rest of CPython's.
import _airlock_orig
_orig = _airlock_orig.load('itertools')
del _airlock_orig

count = _orig.count
cycle = _orig.cycle
repeat = _orig.repeat
islice = _orig.islice
starmap = _orig.starmap
tee = _orig.tee
_accumulate = _orig.accumulate


class chain:
    def __init__(self, *iterables):
        self._its = iterables

    def __iter__(self):
        for it in self._its:
            for x in it:
                yield x

    @classmethod
    def from_iterable(cls, iterables):
        return cls._gen(iterables)

    @staticmethod
    def _gen(iterables):
        for it in iterables:
            for x in it:
                yield x


def accumulate(iterable, func=None, *, initial=None):
    it = iter(iterable)
    if initial is None:
        try:
            total = next(it)
        except StopIteration:
            return
    else:
        total = initial
    yield total
    for x in it:
        total = func(total, x) if func is not None else total + x
        yield total


def groupby(iterable, key=None):
    # Each group is collected before it is yielded (CPython shares one
    # iterator; the visible behaviour is the same when groups are consumed
    # in order).
    it = iter(iterable)
    end = object()
    cur = next(it, end)
    while cur is not end:
        k = key(cur) if key else cur
        grp = [cur]
        cur = next(it, end)
        while cur is not end:
            k2 = key(cur) if key else cur
            if k2 != k:
                break
            grp.append(cur)
            cur = next(it, end)
        yield k, iter(grp)


def product(*iterables, repeat=1):
    pools = [tuple(p) for p in iterables] * repeat
    result = [()]
    for pool in pools:
        result = [x + (y,) for x in result for y in pool]
    for r in result:
        yield r


def permutations(iterable, r=None):
    pool = tuple(iterable)
    n = len(pool)
    r = n if r is None else r
    if r > n:
        return
    indices = list(range(n))
    cycles = list(range(n, n - r, -1))
    yield tuple(pool[i] for i in indices[:r])
    while n:
        for i in reversed(range(r)):
            cycles[i] -= 1
            if cycles[i] == 0:
                indices[i:] = indices[i + 1:] + indices[i:i + 1]
                cycles[i] = n - i
            else:
                j = cycles[i]
                indices[i], indices[-j] = indices[-j], indices[i]
                yield tuple(pool[i] for i in indices[:r])
                break
        else:
            return


def combinations(iterable, r):
    pool = tuple(iterable)
    n = len(pool)
    if r > n:
        return
    idx = list(range(r))
    yield tuple(pool[i] for i in idx)
    while True:
        for i in reversed(range(r)):
            if idx[i] != i + n - r:
                break
        else:
            return
        idx[i] += 1
        for j in range(i + 1, r):
            idx[j] = idx[j - 1] + 1
        yield tuple(pool[i] for i in idx)


def combinations_with_replacement(iterable, r):
    pool = tuple(iterable)
    n = len(pool)
    if not n and r:
        return
    idx = [0] * r
    yield tuple(pool[i] for i in idx)
    while True:
        for i in reversed(range(r)):
            if idx[i] != n - 1:
                break
        else:
            return
        idx[i:] = [idx[i] + 1] * (r - i)
        yield tuple(pool[i] for i in idx)


def zip_longest(*iterables, fillvalue=None):
    its = [iter(i) for i in iterables]
    n = len(its)
    while True:
        done = 0
        row = []
        for i in range(n):
            it = its[i]
            if it is None:
                row.append(fillvalue)
                continue
            try:
                row.append(next(it))
            except StopIteration:
                its[i] = None
                done += 1
                row.append(fillvalue)
        if all(i is None for i in its):
            return
        yield tuple(row)


def compress(data, selectors):
    return (d for d, s in zip(data, selectors) if s)


def filterfalse(pred, iterable):
    if pred is None:
        pred = bool
    return (x for x in iterable if not pred(x))


def takewhile(pred, iterable):
    for x in iterable:
        if not pred(x):
            return
        yield x


def dropwhile(pred, iterable):
    it = iter(iterable)
    for x in it:
        if not pred(x):
            yield x
            break
    for x in it:
        yield x


def pairwise(iterable):
    it = iter(iterable)
    try:
        a = next(it)
    except StopIteration:
        return
    for b in it:
        yield a, b
        a = b


def batched(iterable, n):
    if n < 1:
        raise ValueError('n must be at least one')
    it = iter(iterable)
    while True:
        b = tuple(islice(it, n))
        if not b:
            return
        yield b
