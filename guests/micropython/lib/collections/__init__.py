# collections for airlock: the guest's module plus Counter, ChainMap, an
# unbounded deque, a working defaultdict and namedtuple extras.
import _airlock_orig
_orig = _airlock_orig.load('collections')
OrderedDict_ = _orig.OrderedDict
_nt = _orig.namedtuple
del _airlock_orig

_MISSING = object()


class _Ordered(dict):
    # dict subclass remembering insertion order for keys/values/items/repr
    # (MicroPython's dict does not keep it). MicroPython passes constructor
    # arguments to the native dict, so instances are made by factories that
    # call the class without arguments.
    def __init__(self):
        self._k = []

    def __setitem__(self, k, v):
        if super().get(k, _MISSING) is _MISSING:
            self._k.append(k)
        super().__setitem__(k, v)

    def __delitem__(self, k):
        super().__delitem__(k)
        self._k.remove(k)

    def _sync(self):
        ks = self._k
        if len(ks) != len(self):
            g = super().get
            seen = set(ks)
            self._k = [k for k in ks if g(k, _MISSING) is not _MISSING] + \
                [k for k in super().keys() if k not in seen]
        return self._k

    def keys(self):
        return list(self._sync())

    def values(self):
        g = super().get
        return [g(k) for k in self._sync()]

    def items(self):
        g = super().get
        return [(k, g(k)) for k in self._sync()]

    def update(self, *args, **kw):
        if args:
            other = args[0]
            if hasattr(other, 'keys'):
                for k in other.keys():
                    self[k] = other[k]
            else:
                for k, v in other:
                    self[k] = v
        for k, v in kw.items():
            self[k] = v

    def setdefault(self, k, default=None):
        v = super().get(k, _MISSING)
        if v is not _MISSING:
            return v
        self[k] = default
        return default

    def pop(self, k, default=_MISSING):
        v = super().get(k, _MISSING)
        if v is not _MISSING:
            super().pop(k)
            self._k.remove(k)
            return v
        if default is _MISSING:
            raise KeyError(k)
        return default

    def popitem(self):
        ks = self._sync()
        if not ks:
            raise KeyError('popitem(): dictionary is empty')
        k = ks[-1]
        return k, self.pop(k)

    def clear(self):
        super().clear()
        self._k = []

    def copy(self):
        c = self._empty()
        c.update(self)
        return c

    def _empty(self):
        return ordered()

    def __iter__(self):
        return iter(list(self._sync()))

    def _body(self):
        return '{' + ', '.join('%r: %r' % kv for kv in self.items()) + '}'

    def __repr__(self):
        return self._body()

    def __str__(self):
        return self.__repr__()

    def __eq__(self, other):
        if not isinstance(other, dict):
            return False
        if len(self) != len(other):
            return False
        for k, v in self.items():
            if k not in other or other[k] != v:
                return False
        return True

    def __ne__(self, other):
        return not self.__eq__(other)


def ordered(*args, **kw):
    d = _Ordered()
    if args or kw:
        d.update(*args, **kw)
    return d


class _DefaultDict(_Ordered):
    def __getitem__(self, k):
        v = super().get(k, _MISSING)
        if v is _MISSING:
            return self.__missing__(k)
        return v

    def __missing__(self, k):
        if self.default_factory is None:
            raise KeyError(k)
        v = self.default_factory()
        self[k] = v
        return v

    def _empty(self):
        return defaultdict(self.default_factory)

    def __repr__(self):
        f = self.default_factory
        fr = 'None' if f is None else ("<class '%s'>" % f.__name__ if isinstance(f, type) else repr(f))
        return 'defaultdict(%s, %s)' % (fr, self._body())


def defaultdict(default_factory=None, *args, **kw):
    if default_factory is not None and not callable(default_factory):
        raise TypeError('first argument must be callable or None')
    d = _DefaultDict()
    d.default_factory = default_factory
    if args or kw:
        d.update(*args, **kw)
    return d


class _Counter(_Ordered):
    def __getitem__(self, k):
        return super().get(k, 0)

    def __missing__(self, k):
        return 0

    def get(self, k, default=None):
        return super().get(k, default)

    def update(self, iterable=None, **kw):
        if iterable is not None:
            if isinstance(iterable, dict):
                for k, v in iterable.items():
                    self[k] = self[k] + v
            else:
                g = super().get
                for k in iterable:
                    self[k] = g(k, 0) + 1
        for k, v in kw.items():
            self[k] = self[k] + v

    def subtract(self, iterable=None, **kw):
        if iterable is not None:
            if isinstance(iterable, dict):
                for k, v in iterable.items():
                    self[k] = self[k] - v
            else:
                for k in iterable:
                    self[k] = self[k] - 1
        for k, v in kw.items():
            self[k] = self[k] - v

    def most_common(self, n=None):
        items = sorted(self.items(), key=lambda kv: kv[1], reverse=True)
        return items if n is None else items[:n]

    def elements(self):
        for k, v in self.items():
            for _ in range(v):
                yield k

    def total(self):
        return sum(self.values())

    def _empty(self):
        return Counter()

    def __repr__(self):
        if not self:
            return 'Counter()'
        return 'Counter({%s})' % ', '.join('%r: %r' % kv for kv in self.most_common())

    def _keep(self, pairs):
        c = Counter()
        for k, v in pairs:
            if v > 0:
                c[k] = v
        return c

    def __add__(self, o):
        return self._keep([(k, self[k] + o[k]) for k in self._union(o)])

    def __sub__(self, o):
        return self._keep([(k, self[k] - o[k]) for k in self._union(o)])

    def __or__(self, o):
        return self._keep([(k, max(self[k], o[k])) for k in self._union(o)])

    def __and__(self, o):
        return self._keep([(k, min(self[k], o[k])) for k in self._union(o)])

    def __pos__(self):
        return self._keep(self.items())

    def __neg__(self):
        return self._keep([(k, -v) for k, v in self.items()])

    def _union(self, o):
        ks = list(self.keys())
        have = set(ks)
        for k in o.keys():
            if k not in have:
                ks.append(k)
        return ks

    def __eq__(self, other):
        if not isinstance(other, dict):
            return False
        for k in self._union(other):
            if self[k] != (other[k] if k in other else 0):
                return False
        return True


def Counter(iterable=None, **kw):
    c = _Counter()
    c.update(iterable, **kw)
    return c


class OrderedDict(OrderedDict_):
    def __str__(self):
        return self.__repr__()

    def move_to_end(self, key, last=True):
        v = self.pop(key)
        if last:
            self[key] = v
        else:
            rest = list(self.items())
            self.clear()
            self[key] = v
            for k, x in rest:
                self[k] = x

    def popitem(self, last=True):
        if not self:
            raise KeyError('dictionary is empty')
        k = next(reversed(list(self.keys()))) if last else next(iter(self.keys()))
        return k, self.pop(k)

    def __repr__(self):
        if not self:
            return 'OrderedDict()'
        return 'OrderedDict(%r)' % (list(self.items()),) if False else 'OrderedDict({%s})' % ', '.join('%r: %r' % kv for kv in self.items())


class deque:
    # Unbounded (or maxlen-bounded) double-ended queue; MicroPython's own
    # deque needs a fixed maxlen and lacks indexing and rotate.
    def __init__(self, iterable=(), maxlen=None):
        self._l = []          # left part, reversed
        self._r = list(iterable)
        self.maxlen = maxlen
        if maxlen is not None:
            while len(self._r) > maxlen:
                self._r.pop(0)

    def __len__(self):
        return len(self._l) + len(self._r)

    def __bool__(self):
        return bool(self._l) or bool(self._r)

    def _trim_left(self):
        if self.maxlen is not None and len(self) > self.maxlen:
            self.popleft()

    def _trim_right(self):
        if self.maxlen is not None and len(self) > self.maxlen:
            self.pop()

    def append(self, x):
        self._r.append(x)
        self._trim_left()

    def appendleft(self, x):
        self._l.append(x)
        self._trim_right()

    def extend(self, it):
        for x in it:
            self.append(x)

    def extendleft(self, it):
        for x in it:
            self.appendleft(x)

    def pop(self):
        if self._r:
            return self._r.pop()
        if self._l:
            return self._l.pop(0)
        raise IndexError('pop from an empty deque')

    def popleft(self):
        if self._l:
            return self._l.pop()
        r = self._r
        if not r:
            raise IndexError('pop from an empty deque')
        if len(r) > 32:
            half = len(r) // 2
            self._l = r[:half]
            self._l.reverse()
            self._r = r[half:]
            return self._l.pop()
        return r.pop(0)

    def _list(self):
        a = self._l[:]
        a.reverse()
        return a + self._r

    def __iter__(self):
        return iter(self._list())

    def __reversed__(self):
        a = self._list()
        a.reverse()
        return iter(a)

    def __getitem__(self, i):
        nl = len(self._l)
        if i < 0:
            i += len(self)
        if i < 0 or i >= len(self):
            raise IndexError('deque index out of range')
        return self._l[nl - 1 - i] if i < nl else self._r[i - nl]

    def __setitem__(self, i, v):
        nl = len(self._l)
        if i < 0:
            i += len(self)
        if i < nl:
            self._l[nl - 1 - i] = v
        else:
            self._r[i - nl] = v

    def __contains__(self, x):
        return x in self._l or x in self._r

    def __eq__(self, o):
        return isinstance(o, deque) and self._list() == o._list()

    def clear(self):
        self._l = []
        self._r = []

    def copy(self):
        return deque(self._list(), self.maxlen)

    def count(self, x):
        return self._l.count(x) + self._r.count(x)

    def index(self, x):
        return self._list().index(x)

    def remove(self, x):
        a = self._list()
        a.remove(x)
        self._l, self._r = [], a

    def reverse(self):
        a = self._list()
        a.reverse()
        self._l, self._r = [], a

    def rotate(self, n=1):
        a = self._list()
        if a:
            n %= len(a)
            a = a[-n:] + a[:-n]
        self._l, self._r = [], a

    def __repr__(self):
        if self.maxlen is None:
            return 'deque(%r)' % (self._list(),)
        return 'deque(%r, maxlen=%d)' % (self._list(), self.maxlen)


def namedtuple(typename, field_names, *, rename=False, defaults=None, module=None):
    if isinstance(field_names, str):
        field_names = field_names.replace(',', ' ').split()
    field_names = tuple(field_names)
    base = _nt(typename, field_names)
    ns = {'_fields': field_names,
          '_field_defaults': {},
          '_asdict': lambda self: ordered(zip(field_names, self)),
          '_replace': lambda self, **kw: type(self)(*[kw.pop(f, v) for f, v in zip(field_names, self)]),
          '_make': classmethod(lambda cls, it: cls(*it))}
    if defaults:
        d = tuple(defaults)
        req = len(field_names) - len(d)
        dd = dict(zip(field_names[req:], d))
        ns['_field_defaults'] = dd
        cls = type(typename, (base,), ns)

        def make(*args, **kw):
            vals = list(args)
            for f in field_names[len(args):]:
                if f in kw:
                    vals.append(kw.pop(f))
                elif f in dd:
                    vals.append(dd[f])
                else:
                    raise TypeError("missing required argument: '%s'" % f)
            if kw:
                raise TypeError('unexpected keyword argument %r' % list(kw)[0])
            return cls(*vals)
        return make
    return type(typename, (base,), ns)


class ChainMap:
    def __init__(self, *maps):
        self.maps = list(maps) or [{}]

    def __getitem__(self, k):
        for m in self.maps:
            if k in m:
                return m[k]
        raise KeyError(k)

    def get(self, k, default=None):
        return self[k] if k in self else default

    def __contains__(self, k):
        return any(k in m for m in self.maps)

    def __setitem__(self, k, v):
        self.maps[0][k] = v

    def __delitem__(self, k):
        del self.maps[0][k]

    def keys(self):
        seen = []
        for m in reversed(self.maps):
            for k in m:
                if k not in seen:
                    seen.append(k)
        return seen

    def __iter__(self):
        return iter(self.keys())

    def __len__(self):
        return len(self.keys())

    def items(self):
        return [(k, self[k]) for k in self.keys()]

    def values(self):
        return [self[k] for k in self.keys()]

    def new_child(self, m=None):
        return ChainMap(m if m is not None else {}, *self.maps)

    @property
    def parents(self):
        return ChainMap(*self.maps[1:])

    def __repr__(self):
        return 'ChainMap(%s)' % ', '.join(repr(m) for m in self.maps)


UserDict = dict


UserList = list
UserString = str
MutableMapping = getattr(_orig, 'MutableMapping', dict)
