# typing for airlock: every name is importable; nothing is checked at run time.


class _Alias:
    def __init__(self, name, args=()):
        self._name = name
        self.__args__ = args

    def __getitem__(self, args):
        if not isinstance(args, tuple):
            args = (args,)
        return _Alias(self._name, args)

    def __call__(self, *a, **k):
        raise TypeError("Type %s cannot be instantiated" % self._name)

    def __repr__(self):
        if self.__args__:
            return 'typing.%s[%s]' % (self._name, ', '.join(
                getattr(a, '__name__', None) or repr(a) for a in self.__args__))
        return 'typing.' + self._name

    def __or__(self, other):
        return _Alias('Union', (self, other))

    def __ror__(self, other):
        return _Alias('Union', (other, self))

    def __eq__(self, other):
        return isinstance(other, _Alias) and other._name == self._name and other.__args__ == self.__args__

    def __hash__(self):
        return hash(self._name)


for _n in ('Any', 'Union', 'Optional', 'List', 'Dict', 'Set', 'FrozenSet',
           'Tuple', 'Callable', 'Type', 'Iterable', 'Iterator', 'Generator',
           'AsyncIterator', 'AsyncIterable', 'AsyncGenerator', 'Awaitable',
           'Coroutine', 'Sequence', 'MutableSequence', 'Mapping',
           'MutableMapping', 'AbstractSet', 'MutableSet', 'Collection',
           'Container', 'Hashable', 'Sized', 'Reversible', 'Deque',
           'DefaultDict', 'OrderedDict', 'Counter', 'ChainMap', 'ClassVar',
           'Final', 'Literal', 'Annotated', 'NoReturn', 'Never', 'Self',
           'LiteralString', 'TypeAlias', 'Concatenate', 'TypeGuard',
           'Required', 'NotRequired', 'Unpack', 'Pattern', 'Match', 'IO',
           'TextIO', 'BinaryIO', 'SupportsInt', 'SupportsFloat', 'SupportsAbs',
           'SupportsIndex', 'SupportsRound', 'ByteString', 'KeysView',
           'ValuesView', 'ItemsView', 'ContextManager', 'AsyncContextManager'):
    globals()[_n] = _Alias(_n)
del _n

Text = str
AnyStr = _Alias('AnyStr')
TYPE_CHECKING = False


class TypeVar:
    def __init__(self, name, *constraints, bound=None, covariant=False,
                 contravariant=False, default=None):
        self.__name__ = name
        self.__constraints__ = constraints
        self.__bound__ = bound

    def __repr__(self):
        return '~' + self.__name__

    def __or__(self, other):
        return _Alias('Union', (self, other))


class ParamSpec(TypeVar):
    pass


class TypeVarTuple(TypeVar):
    pass


class _GenericBase:
    pass


class _GenericAlias(_Alias):
    def __getitem__(self, args):
        return _GenericBase

    def __mro_entries__(self, bases):
        return (_GenericBase,)


Generic = _GenericAlias('Generic')


class Protocol:
    pass


def runtime_checkable(cls):
    return cls


def cast(typ, value):
    return value


def assert_type(value, typ):
    return value


def assert_never(value):
    raise AssertionError('Expected code to be unreachable, but got: %r' % (value,))


def reveal_type(value):
    print('Runtime type is %r' % type(value).__name__)
    return value


def overload(func):
    def _overload_dummy(*args, **kwds):
        raise NotImplementedError('You should not call an overloaded function.')
    return _overload_dummy


def no_type_check(func):
    return func


def final(f):
    return f


def override(f):
    return f


def get_type_hints(obj, globalns=None, localns=None, include_extras=False):
    return dict(getattr(obj, '__annotations__', {}))


def get_origin(tp):
    return None


def get_args(tp):
    return getattr(tp, '__args__', ())


def NewType(name, tp):
    def new_type(x):
        return x
    return new_type


class NamedTuple:
    """class P(NamedTuple): x: int -- needs airlock's source rewrite (field
    order); the class statement then becomes a collections.namedtuple."""

    def __airlock_fix__(cls):
        import collections
        names = [a for a, _ in getattr(cls, '__airlock_anns__', ())]
        defaults = []
        for a in names:
            if a in cls.__dict__:
                defaults.append(cls.__dict__[a])
            elif defaults:
                raise TypeError('Non-default namedtuple field %s cannot follow default field' % a)
        nt = collections.namedtuple(cls.__name__, names, defaults=defaults)
        ns = {}
        for k, v in cls.__dict__.items():
            if k not in names and k not in ('__airlock_anns__', '__airlock_names__', '__annotations__',
                                           '__dict__', '__module__', '__qualname__'):
                ns[k] = v
        if not ns:
            return nt
        return type(cls.__name__, (nt,), ns)


def TypedDict(name=None, fields=None, total=True, **kw):
    return dict


class _TypedDictBase(dict):
    def __airlock_fix__(cls):
        return dict


TypedDict = _TypedDictBase
