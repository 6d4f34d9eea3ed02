# functools for airlock. MicroPython functions take no attributes, so wraps()
# and the caches return small callable objects that carry __name__/__doc__.
import _airlock_orig
_orig = _airlock_orig.load('functools')
del _airlock_orig

try:
    partial = _orig.partial
except AttributeError:
    partial = None
reduce = _orig.reduce

WRAPPER_ASSIGNMENTS = ('__module__', '__name__', '__qualname__', '__doc__')
WRAPPER_UPDATES = ('__dict__',)


class _Wrapped:
    def __init__(self, func, wrapped):
        self.__wrapped__ = wrapped
        self._f = func
        for a in ('__name__', '__qualname__', '__doc__', '__module__'):
            try:
                v = getattr(wrapped, a)
            except AttributeError:
                v = None if a == '__doc__' else getattr(func, '__name__', None)
            setattr(self, a, v)
        try:
            d = wrapped.__dict__
            for k in d:
                if not hasattr(self, k):
                    setattr(self, k, d[k])
        except (AttributeError, TypeError):
            pass

    def __call__(self, *a, **k):
        return self._f(*a, **k)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        f = self._f
        return lambda *a, **k: f(obj, *a, **k)

    def __repr__(self):
        return '<function %s>' % self.__name__


def update_wrapper(wrapper, wrapped, assigned=WRAPPER_ASSIGNMENTS, updated=WRAPPER_UPDATES):
    if isinstance(wrapper, _Wrapped):
        wrapper.__wrapped__ = wrapped
        for a in ('__name__', '__qualname__', '__doc__', '__module__'):
            setattr(wrapper, a, getattr(wrapped, a, None))
        return wrapper
    try:
        for a in assigned:
            setattr(wrapper, a, getattr(wrapped, a))
        wrapper.__wrapped__ = wrapped
        return wrapper
    except (AttributeError, TypeError):
        return _Wrapped(wrapper, wrapped)


def wraps(wrapped, assigned=WRAPPER_ASSIGNMENTS, updated=WRAPPER_UPDATES):
    return lambda wrapper: update_wrapper(wrapper, wrapped)


class _CacheInfo(tuple):
    pass


def _cache_info(hits, misses, maxsize, currsize):
    from collections import namedtuple
    global _CI
    try:
        _CI
    except NameError:
        _CI = namedtuple('CacheInfo', ['hits', 'misses', 'maxsize', 'currsize'])
    return _CI(hits, misses, maxsize, currsize)


class _LRU(_Wrapped):
    def __init__(self, func, maxsize, typed):
        _Wrapped.__init__(self, func, func)
        self._max = maxsize
        self._c = {}
        self._order = []
        self._hits = 0
        self._miss = 0

    def __call__(self, *args, **kw):
        key = args if not kw else args + (_KW,) + tuple(sorted(kw.items()))
        c = self._c
        try:
            v = c[key]
            self._hits += 1
            if self._max is not None:
                o = self._order
                if o[-1] != key:
                    o.remove(key)
                    o.append(key)
            return v
        except KeyError:
            pass
        except TypeError:
            raise TypeError("unhashable type in arguments of %s" % self.__name__)
        self._miss += 1
        v = self._f(*args, **kw)
        if key not in c:
            c[key] = v
            if self._max is not None:
                self._order.append(key)
                if len(self._order) > self._max:
                    del c[self._order.pop(0)]
        return v

    def cache_info(self):
        return _cache_info(self._hits, self._miss, self._max, len(self._c))

    def cache_clear(self):
        self._c = {}
        self._order = []
        self._hits = self._miss = 0

    def cache_parameters(self):
        return {'maxsize': self._max, 'typed': False}


_KW = object()


def lru_cache(maxsize=128, typed=False):
    if callable(maxsize) and not isinstance(maxsize, int):
        return _LRU(maxsize, 128, False)
    if maxsize is not None and maxsize < 0:
        maxsize = 0
    return lambda f: _LRU(f, maxsize, typed)


def cache(f):
    return _LRU(f, None, False)


class cached_property:
    def __init__(self, func):
        self.func = func
        self.attrname = getattr(func, '__name__', None)
        self.__doc__ = getattr(func, '__doc__', None)

    def __set_name__(self, owner, name):
        self.attrname = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        v = self.func(instance)
        try:
            instance.__dict__[self.attrname] = v
        except (AttributeError, TypeError):
            pass
        return v


def total_ordering(cls):
    d = cls.__dict__
    if '__lt__' in d:
        lt = d['__lt__']
        cls.__gt__ = lambda a, b: (not lt(a, b)) and a != b
        cls.__le__ = lambda a, b: lt(a, b) or a == b
        cls.__ge__ = lambda a, b: not lt(a, b)
    elif '__le__' in d:
        le = d['__le__']
        cls.__lt__ = lambda a, b: le(a, b) and a != b
        cls.__gt__ = lambda a, b: not le(a, b)
        cls.__ge__ = lambda a, b: (not le(a, b)) or a == b
    elif '__gt__' in d:
        gt = d['__gt__']
        cls.__lt__ = lambda a, b: (not gt(a, b)) and a != b
        cls.__ge__ = lambda a, b: gt(a, b) or a == b
        cls.__le__ = lambda a, b: not gt(a, b)
    elif '__ge__' in d:
        ge = d['__ge__']
        cls.__lt__ = lambda a, b: not ge(a, b)
        cls.__gt__ = lambda a, b: ge(a, b) and a != b
        cls.__le__ = lambda a, b: (not ge(a, b)) or a == b
    else:
        raise ValueError('must define at least one ordering operation: < > <= >=')
    return cls


def cmp_to_key(mycmp):
    class K:
        __slots__ = ('obj',)

        def __init__(self, obj):
            self.obj = obj

        def __lt__(self, other):
            return mycmp(self.obj, other.obj) < 0

        def __gt__(self, other):
            return mycmp(self.obj, other.obj) > 0

        def __eq__(self, other):
            return mycmp(self.obj, other.obj) == 0

        def __le__(self, other):
            return mycmp(self.obj, other.obj) <= 0

        def __ge__(self, other):
            return mycmp(self.obj, other.obj) >= 0
    return K


def singledispatch(func):
    registry = {}

    def dispatch(arg, *a, **k):
        for t in type(arg).__mro__ if hasattr(type(arg), '__mro__') else (type(arg),) + type(arg).__bases__:
            if t in registry:
                return registry[t](arg, *a, **k)
        for t, f in registry.items():
            if isinstance(arg, t):
                return f(arg, *a, **k)
        return func(arg, *a, **k)

    def register(t, f=None):
        if f is None:
            if isinstance(t, type):
                return lambda f: register(t, f)
            raise TypeError('register() needs a type with a function, or use a type annotation (not supported here)')
        registry[t] = f
        return f
    w = _Wrapped(dispatch, func)
    w.register = register
    w.registry = registry
    return w


if partial is None:
    def partial(func, *args, **kw):
        def p(*a, **k):
            kk = dict(kw)
            kk.update(k)
            return func(*(args + a), **kk)
        return p
