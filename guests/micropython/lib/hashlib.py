# hashlib for airlock: the guest's hashes with hexdigest() and the
# CPython-style constructors.
import _airlock_orig
_h = _airlock_orig.load('hashlib', False)
del _airlock_orig


class _Hash:
    def __init__(self, name, ctor, data=b''):
        self.name = name
        self._ctor = ctor
        self._buf = bytearray()
        self._o = ctor()
        if data:
            self.update(data)

    def update(self, data):
        if isinstance(data, str):
            raise TypeError('Strings must be encoded before hashing')
        self._o.update(data)
        self._buf.extend(data)

    def digest(self):
        # MicroPython hashes cannot be read twice: hash a copy
        o = self._ctor()
        o.update(bytes(self._buf))
        return o.digest()

    def hexdigest(self):
        return self.digest().hex()

    def copy(self):
        c = _Hash(self.name, self._ctor)
        c.update(bytes(self._buf))
        return c

    @property
    def digest_size(self):
        return len(self.digest())


def _mk(name):
    ctor = getattr(_h, name, None)
    if ctor is None:
        def missing(data=b'', **kw):
            raise ValueError('unsupported hash type ' + name)
        return missing
    return lambda data=b'', **kw: _Hash(name, ctor, data)


sha256 = _mk('sha256')
sha1 = _mk('sha1')
md5 = _mk('md5')
sha512 = _mk('sha512')
sha384 = _mk('sha384')
sha224 = _mk('sha224')
algorithms_available = algorithms_guaranteed = set(n for n in ('md5', 'sha1', 'sha256') if hasattr(_h, n))


def new(name, data=b'', **kw):
    return _mk(name.lower())(data)
