# abc for airlock: ABC refuses to instantiate classes with abstract methods
# left (MicroPython functions take no attributes, so abstract methods are
# remembered in a set).
_abstract = set()


def abstractmethod(f):
    _abstract.add(id(f))
    return f


def _is_abstract(v):
    if isinstance(v, (staticmethod, classmethod)):
        return False
    if isinstance(v, property):
        return id(v.fget) in _abstract
    return id(v) in _abstract


def abstractproperty(f):
    _abstract.add(id(f))
    return property(f)


abstractclassmethod = classmethod
abstractstaticmethod = staticmethod


def _abstracts(cls):
    names = set()
    seen = set()
    chain = [cls]
    k = 0
    while k < len(chain):
        c = chain[k]
        k += 1
        for b in getattr(c, '__bases__', ()):
            if b is not object:
                chain.append(b)
    for c in chain:
        for name, v in c.__dict__.items():
            if name in seen:
                continue
            seen.add(name)
            if _is_abstract(v):
                names.add(name)
    return names


class ABC:
    def __new__(cls, *args, **kwargs):
        missing = _abstracts(cls)
        if missing:
            names = sorted(missing)
            raise TypeError("Can't instantiate abstract class %s with abstract method%s %s" % (
                cls.__name__, 's' if len(names) > 1 else '', ', '.join(names)))
        return object.__new__(cls)


ABCMeta = type


def get_cache_token():
    return 0
