# enum for airlock. MicroPython has no metaclasses, so with airlock's source
# rewrite a class deriving from Enum is replaced by an _EnumType object that
# supports iteration, Color(value), Color['NAME'], len() and `in`.


class _auto_value:
    _n = 0

    def __init__(self):
        _auto_value._n += 1
        self._order = _auto_value._n


def auto():
    return _auto_value()


class _EnumType:
    def __init__(self, cls, members):
        object.__setattr__(self, '_cls', cls)
        object.__setattr__(self, '_members', members)
        byval = {}
        for m in members:
            try:
                byval.setdefault(m._value_, m)
            except TypeError:
                pass
        object.__setattr__(self, '_byvalue', byval)
        object.__setattr__(self, '__name__', cls.__name__)
        object.__setattr__(self, '__members__', dict((m._name_, m) for m in members))

    def __getattr__(self, name):
        for m in self._members:
            if m._name_ == name:
                return m
        return getattr(self._cls, name)

    def __setattr__(self, name, value):
        raise AttributeError('cannot reassign members')

    def __iter__(self):
        return iter([m for m in self._members if not m._alias])

    def __reversed__(self):
        return reversed([m for m in self._members if not m._alias])

    def __len__(self):
        return len([m for m in self._members if not m._alias])

    def __contains__(self, x):
        return x in self._members

    def __getitem__(self, name):
        for m in self._members:
            if m._name_ == name:
                return m
        raise KeyError(name)

    def __call__(self, value, *more):
        if isinstance(value, self._cls):
            return value
        try:
            return self._byvalue[value]
        except (KeyError, TypeError):
            pass
        for m in self._members:
            if m._value_ == value:
                return m
        miss = getattr(self._cls, '_missing_', None)
        if miss is not None:
            r = miss(value)
            if r is not None:
                return r
        raise ValueError('%r is not a valid %s' % (value, self._cls.__name__))

    def __repr__(self):
        return "<enum '%s'>" % self._cls.__name__

    def __instancecheck__(self, obj):
        return isinstance(obj, self._cls)


class Enum:
    _alias = False

    def __airlock_fix__(cls):
        names = getattr(cls, '__airlock_names__', None)
        own = cls.__dict__
        if names is None:
            names = sorted(k for k in own if not k.startswith('_'))
        members = []
        last = 0
        autos = []
        for name in names:
            if name.startswith('_') or name not in own:
                continue
            v = own[name]
            if callable(v) or isinstance(v, (classmethod, staticmethod, property)):
                continue
            if isinstance(v, _auto_value):
                v = cls._generate_next_value_(name, 1, len(members), last)
            try:
                last = v
            except Exception:
                pass
            members.append((name, v))
        objs = []
        for name, v in members:
            alias = None
            for o in objs:
                if o._value_ == v:
                    alias = o
                    break
            if alias is not None:
                m = alias
                out = _Alias(m)
            else:
                base_new = None
                for b in cls.__bases__:
                    if b in (int, str, float):
                        base_new = b
                if base_new is not None:
                    m = base_new.__new__(cls, *(v if isinstance(v, tuple) else (v,)))
                else:
                    m = object.__new__(cls)
                m._name_ = name
                m._value_ = v
                init = cls.__dict__.get('__init__')
                if init is not None:
                    init(m, *(v if isinstance(v, tuple) else (v,)))
                out = m
            setattr(cls, name, m)
            objs.append(out if alias is not None else m)
        real = [o if not isinstance(o, _Alias) else o for o in objs]
        t = _EnumType(cls, [o if not isinstance(o, _Alias) else _alias_member(o) for o in objs])
        return t

    def _generate_next_value_(name, start, count, last_values):
        if isinstance(last_values, int) and count:
            return last_values + 1
        return start if not count else count + 1

    @property
    def name(self):
        return self._name_

    @property
    def value(self):
        return self._value_

    def __repr__(self):
        return '<%s.%s: %r>' % (type(self).__name__, self._name_, self._value_)

    def __str__(self):
        return '%s.%s' % (type(self).__name__, self._name_)

    def __format__(self, spec):
        return format(str(self), spec)

    def __hash__(self):
        return hash(self._name_)

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return self is not other

    def __reduce__(self):
        return (type(self), (self._value_,))


class _Alias:
    def __init__(self, m):
        self.m = m


def _alias_member(a):
    return a.m


class IntEnum(int, Enum):
    def __str__(self):
        return str(self._value_)

    def __format__(self, spec):
        return format(self._value_, spec)

    def __eq__(self, other):
        return self._value_ == (other._value_ if isinstance(other, Enum) else other)

    def __ne__(self, other):
        return not self.__eq__(other)

    def __lt__(self, other):
        return self._value_ < (other._value_ if isinstance(other, Enum) else other)

    def __le__(self, other):
        return self._value_ <= (other._value_ if isinstance(other, Enum) else other)

    def __gt__(self, other):
        return self._value_ > (other._value_ if isinstance(other, Enum) else other)

    def __ge__(self, other):
        return self._value_ >= (other._value_ if isinstance(other, Enum) else other)

    def __hash__(self):
        return hash(self._value_)

    def __int__(self):
        return self._value_

    def __index__(self):
        return self._value_


class StrEnum(str, Enum):
    def __str__(self):
        return self._value_

    def __format__(self, spec):
        return format(self._value_, spec)

    def __eq__(self, other):
        return self._value_ == (other._value_ if isinstance(other, Enum) else other)

    def __hash__(self):
        return hash(self._value_)

    def _generate_next_value_(name, start, count, last_values):
        return name.lower()


class Flag(Enum):
    def _generate_next_value_(name, start, count, last_values):
        return 1 << count


class IntFlag(IntEnum):
    def _generate_next_value_(name, start, count, last_values):
        return 1 << count


def unique(cls):
    return cls


class EnumMeta:
    pass


EnumType = EnumMeta
