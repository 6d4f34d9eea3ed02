# dataclasses for airlock. Field order comes from airlock's source rewrite
# (MicroPython keeps no class annotations); without it only fields that have
# a default can be found, in no particular order.

MISSING = object()


class FrozenInstanceError(AttributeError):
    pass


class InitVar:
    def __init__(self, type=None):
        self.type = type

    def __class_getitem__(cls, t):
        return cls(t)


class KW_ONLY:
    pass


class Field:
    def __init__(self, default=MISSING, default_factory=MISSING, init=True,
                 repr=True, hash=None, compare=True, metadata=None, kw_only=False):
        self.name = None
        self.type = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare
        self.metadata = metadata or {}
        self.kw_only = kw_only

    def __repr__(self):
        return 'Field(name=%r,type=%r,default=%r)' % (self.name, self.type, self.default)


def field(*, default=MISSING, default_factory=MISSING, init=True, repr=True,
          hash=None, compare=True, metadata=None, kw_only=False):
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError('cannot specify both default and default_factory')
    return Field(default, default_factory, init, repr, hash, compare, metadata, kw_only)


def _own_fields(cls):
    anns = getattr(cls, '__airlock_anns__', None)
    own = cls.__dict__
    result = []
    if anns is not None and '__airlock_anns__' in own:
        for name, ann in anns:
            if ann.startswith('ClassVar') or ann.startswith('typing.ClassVar'):
                continue
            v = own.get(name, MISSING)
            f = v if isinstance(v, Field) else Field(default=v)
            f.name = name
            f.type = ann
            if ann.startswith('InitVar'):
                f._initvar = True
            result.append(f)
    else:
        for name, v in own.items():
            if isinstance(v, Field):
                f = v
                f.name = name
                result.append(f)
    return result


def _process(cls, init, repr_, eq, order, frozen, unsafe_hash, kw_only_all):
    allf = []
    for b in reversed(cls.__mro__[1:] if hasattr(cls, '__mro__') else cls.__bases__):
        for f in getattr(b, '__dataclass_fields_list__', ()):
            allf = [g for g in allf if g.name != f.name] + [f]
    for f in _own_fields(cls):
        allf = [g for g in allf if g.name != f.name] + [f]
        # class attribute: the default (or nothing for fields without one)
        if isinstance(cls.__dict__.get(f.name), Field):
            if f.default is MISSING:
                try:
                    delattr(cls, f.name)
                except AttributeError:
                    pass
            else:
                setattr(cls, f.name, f.default)
    if kw_only_all:
        for f in allf:
            f.kw_only = True
    cls.__dataclass_fields_list__ = allf
    fmap = {}
    for f in allf:
        fmap[f.name] = f
    cls.__dataclass_fields__ = fmap
    cls.__match_args__ = tuple(f.name for f in allf if f.init)
    names = [f.name for f in allf if not getattr(f, '_initvar', False)]

    if init and '__init__' not in cls.__dict__:
        cls.__init__ = _make_init(allf, frozen, cls)
    if repr_ and '__repr__' not in cls.__dict__:
        rf = [f.name for f in allf if f.repr and not getattr(f, '_initvar', False)]

        def __repr__(self):
            return '%s(%s)' % (type(self).__qualname__ if hasattr(type(self), '__qualname__') else type(self).__name__,
                               ', '.join('%s=%r' % (n, getattr(self, n)) for n in rf))
        cls.__repr__ = __repr__
    cf = [f.name for f in allf if f.compare and not getattr(f, '_initvar', False)]

    def _t(self):
        return tuple(getattr(self, n) for n in cf)
    if eq and '__eq__' not in cls.__dict__:
        def __eq__(self, other):
            if other.__class__ is self.__class__:
                return _t(self) == _t(other)
            return NotImplemented
        cls.__eq__ = __eq__

        def __ne__(self, other):
            if other.__class__ is self.__class__:
                return _t(self) != _t(other)
            return NotImplemented
        cls.__ne__ = __ne__
    if order:
        def mk(op):
            def cmp(self, other):
                if other.__class__ is not self.__class__:
                    return NotImplemented
                return op(_t(self), _t(other))
            return cmp
        cls.__lt__ = mk(lambda a, b: a < b)
        cls.__le__ = mk(lambda a, b: a <= b)
        cls.__gt__ = mk(lambda a, b: a > b)
        cls.__ge__ = mk(lambda a, b: a >= b)
    if frozen:
        def __setattr__(self, name, value):
            raise FrozenInstanceError("cannot assign to field '%s'" % name)

        def __delattr__(self, name):
            raise FrozenInstanceError("cannot delete field '%s'" % name)
        cls.__setattr__ = __setattr__
        cls.__delattr__ = __delattr__
    if (eq and frozen) or unsafe_hash:
        hf = [f.name for f in allf if (f.compare if f.hash is None else f.hash)]

        def __hash__(self):
            return hash(tuple(getattr(self, n) for n in hf))
        cls.__hash__ = __hash__
    elif eq and '__hash__' not in cls.__dict__:
        cls.__hash__ = None
    return cls


def _make_init(allf, frozen, cls):
    fs = [f for f in allf if f.init]
    post = getattr(cls, '__post_init__', None) is not None
    noinit = [f for f in allf if not f.init]
    pos = [f for f in fs if not f.kw_only]
    kwo = [f for f in fs if f.kw_only]
    seen_default = False
    for f in pos:
        if f.default is not MISSING or f.default_factory is not MISSING:
            seen_default = True
        elif seen_default:
            raise TypeError("non-default argument '%s' follows default argument" % f.name)
    clsname = cls.__name__

    def __init__(self, *args, **kwargs):
        if len(args) > len(pos):
            raise TypeError('%s.__init__() takes %d positional arguments but %d were given'
                            % (clsname, len(pos) + 1, len(args) + 1))
        values = {}
        for f, a in zip(pos, args):
            values[f.name] = a
        for k, v in kwargs.items():
            if k in values:
                raise TypeError("%s.__init__() got multiple values for argument '%s'" % (clsname, k))
            values[k] = v
        initvars = []
        for f in fs:
            if f.name in values:
                v = values.pop(f.name)
            elif f.default is not MISSING:
                v = f.default
            elif f.default_factory is not MISSING:
                v = f.default_factory()
            else:
                raise TypeError("%s.__init__() missing 1 required positional argument: '%s'" % (clsname, f.name))
            if getattr(f, '_initvar', False):
                initvars.append(v)
            else:
                object.__setattr__(self, f.name, v) if frozen else setattr(self, f.name, v)
        if values:
            raise TypeError("%s.__init__() got an unexpected keyword argument '%s'" % (clsname, list(values)[0]))
        for f in noinit:
            if f.default is not MISSING:
                v = f.default
            elif f.default_factory is not MISSING:
                v = f.default_factory()
            else:
                continue
            object.__setattr__(self, f.name, v) if frozen else setattr(self, f.name, v)
        if post:
            self.__post_init__(*initvars)
    return __init__


def dataclass(cls=None, *, init=True, repr=True, eq=True, order=False,
              unsafe_hash=False, frozen=False, match_args=True, kw_only=False,
              slots=False, weakref_slot=False):
    def wrap(c):
        return _process(c, init, repr, eq, order, frozen, unsafe_hash, kw_only)
    if cls is None:
        return wrap
    return wrap(cls)


def fields(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    try:
        fl = cls.__dataclass_fields_list__
    except AttributeError:
        raise TypeError('must be called with a dataclass type or instance')
    return tuple(f for f in fl if not getattr(f, '_initvar', False))


def is_dataclass(obj):
    cls = obj if isinstance(obj, type) else type(obj)
    return hasattr(cls, '__dataclass_fields_list__')


def _convert(obj, factory):
    if is_dataclass(obj) and not isinstance(obj, type):
        return factory([(f.name, _convert(getattr(obj, f.name), factory)) for f in fields(obj)])
    if isinstance(obj, tuple) and hasattr(obj, '_fields'):
        return type(obj)(*[_convert(v, factory) for v in obj])
    if isinstance(obj, (list, tuple)):
        return type(obj)(_convert(v, factory) for v in obj)
    if isinstance(obj, dict):
        return type(obj)([(_convert(k, factory), _convert(v, factory)) for k, v in obj.items()]) if type(obj) is dict else \
            factory([(_convert(k, factory), _convert(v, factory)) for k, v in obj.items()])
    import copy
    return copy.deepcopy(obj)


def asdict(obj, *, dict_factory=None):
    if dict_factory is None:
        from collections import ordered as dict_factory
    if not is_dataclass(obj) or isinstance(obj, type):
        raise TypeError('asdict() should be called on dataclass instances')
    return _convert(obj, dict_factory)


def astuple(obj, *, tuple_factory=tuple):
    if not is_dataclass(obj) or isinstance(obj, type):
        raise TypeError('astuple() should be called on dataclass instances')
    return tuple_factory([_convert(getattr(obj, f.name), lambda kv: dict(kv)) for f in fields(obj)])


def replace(obj, **changes):
    for f in fields(obj):
        if f.init and f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return type(obj)(**changes)


def make_dataclass(cls_name, fields_, *, bases=(), namespace=None, **kw):
    ns = dict(namespace or {})
    anns = []
    for item in fields_:
        if isinstance(item, str):
            anns.append((item, 'Any'))
        else:
            anns.append((item[0], str(item[1])))
            if len(item) > 2:
                ns[item[0]] = item[2]
    ns['__airlock_anns__'] = tuple(anns)
    c = type(cls_name, tuple(bases) or (object,), ns)
    return dataclass(c, **kw)
