# _airlock_host - the guest half of host calls and of the values the embedder
# sets and reads (airlock_sandbox_set_value...; wire format:
# src/plugins/codec.h).
#
# Imported once while the start-up snapshot is built, with _MAXDEPTH
# prepended by the host; then dropped from sys.modules. Host modules keep
# _call, and through it the transport the guest's _airlock_link gives
# (_airlock_link_NAME.py: MicroPython's js bridge, CPython's device), which
# the host hands out only during that import: there is no other way to it
# (SECURITY.md says what CPython's introspection reaches). The guest's
# driver keeps _value.
from _airlock_link import call as _h, loads as _loads
import sys
from binascii import hexlify as _hx, unhexlify as _ux
from struct import pack as _pk, unpack as _upk


def _deep():
    raise ValueError('a value passed to the host is nested too deeply (the cap is %d)' % _MAXDEPTH)


# Tokens of small ints and short-str headers, preformatted (see _L below).
_I = tuple('i%d;' % i for i in range(256))
_S = tuple('s%d:' % i for i in range(64))


def _enc(v, out, d):
    t = type(v)
    if t is str:
        n = len(v)
        out.append(_S[n] if n < 64 else 's%d:' % n)
        out.append(v)
    elif t is int:
        out.append(_I[v] if 0 <= v < 256 else 'i%d;' % v)
    elif v is None:
        out.append('N')
    elif t is bool:
        out.append('T' if v else 'F')
    elif t is float:
        out.append('f' + _hx(_pk('<d', v)).decode())
    elif t is bytes or t is bytearray or t is memoryview:
        v = bytes(v)
        out.append('b%d:' % len(v))
        out.append(_hx(v).decode())
    elif t is list or t is tuple:
        if d >= _MAXDEPTH:
            _deep()
        out.append('l%d:' % len(v))
        for x in v:
            _enc(x, out, d + 1)
    elif t is dict or isinstance(v, dict):
        if d >= _MAXDEPTH:
            _deep()
        out.append('d%d:' % len(v))
        for k in v:
            if type(k) is not str:
                raise TypeError('dict keys passed to the host must be str, not ' + type(k).__name__)
            out.append('s%d:' % len(k))
            out.append(k)
            _enc(v[k], out, d + 1)
    else:
        raise TypeError("cannot pass '%s' to the host" % t.__name__)


def _unmark(v):
    t = type(v)
    if t is list:
        for i in range(len(v)):
            v[i] = _unmark(v[i])
    elif t is dict:
        if len(v) == 1 and '\0' in v:
            s = v['\0']
            return _ux(s[1:]) if s[0] == 'b' else float(s)
        for k in v:
            v[k] = _unmark(v[k])
    return v


def _raise(r):
    i = r.find('\n')
    name = r[1:i]
    e = None
    if '.' in name:
        m, _, c = name.rpartition('.')
        mod = sys.modules.get(m)
        if mod is not None:
            e = getattr(mod, c, None)
    else:
        # getattr(builtins, ...) misses the names the guest library added
        # (PermissionError, ...); the compiler's own lookup sees them. The
        # host allows only letters, digits, '_' and '.' in the name.
        try:
            e = eval(name, {})
        except Exception:
            pass
    if not (isinstance(e, type) and issubclass(e, Exception)):
        e = RuntimeError
    raise e(r[i + 1:])


# Counts of small containers, preformatted: every allocation here costs the
# guest's collector, and most calls pass a few small arguments and no keywords.
_L = tuple('l%d:' % i for i in range(8))


def _call(pre, a, k):
    # pre is "fingerprint:fid:", made once per function by the host module
    n = len(a)
    out = [pre, _L[n] if n < 8 else 'l%d:' % n]
    for x in a:
        _enc(x, out, 1)
    if k:
        out.append('d%d:' % len(k))
        for n in k:
            _enc(n, out, 1)
            _enc(k[n], out, 1)
    else:
        out.append('d0:')
    r = _h(''.join(out))
    t = type(r)
    if t is str:
        return _dec(r)
    if r is None or t is int or t is bool or t is float:
        return r
    raise MemoryError('the result of a host call does not fit in the sandbox')


def _dec(r):
    # A tagged str from the host (codec.h): the value, or its exception raised.
    c = r[0]
    if c == 'S':
        return r[1:]
    if c == 'i':
        return int(r[1:])
    if c == 'N':
        return None
    if c == 'T':
        return True
    if c == 'F':
        return False
    if c == 'f':
        return _upk('<d', _ux(r[1:]))[0]
    if c == 'J':
        return _loads(r[1:])
    if c == 'B':
        return _ux(r[1:])
    if c == 'M':
        return _unmark(_loads(r[1:]))
    _raise(r)


def _value(op, a, b, g, last):
    # The embedder's values (src/values.c): 's' sets global a to the value
    # the host encoded in b; 'g' answers global a encoded for the host, 'r'
    # the last execution's value; "U" when there is no global a. A value
    # that cannot cross answers "E" type "\n" message.
    try:
        if op == 's':
            g[a] = _dec(b)
            return 'N'
        if op == 'g' and a not in g:
            return 'U'
        out = ['V']
        _enc(g[a] if op == 'g' else last, out, 0)
        return ''.join(out)
    except Exception as e:
        return 'E%s\n%s' % (type(e).__name__, e)
