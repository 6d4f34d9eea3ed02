# Runtime helpers for the CPython compatibility layer (installed as the
# builtin name `_airlock`). Source rewritten by the host's source rewriter
# (src/guests/micropython/rewrite.c) calls these.
_bsorted = sorted


def _sleep_hook(seconds):
    pass  # replaced by _airlock_site._sleep


def sleep(seconds):
    import _airlock_site
    _airlock_site._sleep(seconds)


def sorted(iterable, key=None, reverse=False):
    # Stable, like CPython: sort (key, index) pairs; the index breaks ties.
    items = list(iterable)
    n = len(items)
    if n < 2:
        return items
    if key is None:
        try:
            # Fast path: total orders of ints/floats/strs need no tie-breaker.
            t = type(items[0])
            if t is int or t is float or t is str:
                same = True
                for x in items:
                    if type(x) is not t:
                        same = False
                        break
                if same:
                    return _bsorted(items, reverse=reverse)
        except Exception:
            pass
        keys = items
    else:
        keys = [key(x) for x in items]
    try:
        if reverse:
            idx = _bsorted(range(n), key=lambda i: (keys[i], n - i), reverse=True)
        else:
            idx = _bsorted(range(n), key=lambda i: (keys[i], i))
    except TypeError:
        # keys that only define __lt__ (as CPython's sort requires)
        ks = [_K(keys[i], i, reverse) for i in range(n)]
        idx = [k.i for k in _bsorted(ks)]
    return [items[i] for i in idx]


class _K:
    __slots__ = ('k', 'i', 'r')

    def __init__(self, k, i, r):
        self.k = k
        self.i = i
        self.r = r

    def __lt__(a, b):
        if a.r:
            if b.k < a.k:
                return True
            if a.k < b.k:
                return False
        else:
            if a.k < b.k:
                return True
            if b.k < a.k:
                return False
        return a.i < b.i


def list_sort(lst, key=None, reverse=False):
    lst[:] = sorted(lst, key=key, reverse=reverse)


def vars(obj=None):
    if obj is None:
        raise TypeError("vars() without an argument is not supported here; use locals() or globals()")
    try:
        return obj.__dict__
    except AttributeError:
        raise TypeError("vars() argument must have __dict__ attribute")


# ---------------------------------------------------------------- format()

def _group(digits, sep, every=3):
    out = []
    while len(digits) > every:
        out.append(digits[-every:])
        digits = digits[:-every]
    out.append(digits)
    return sep.join(reversed(out))


def _parse_spec(spec):
    # [[fill]align][sign][z][#][0][width][grouping][.precision][type]
    fill, align, sign, alt, zero, width, group, prec, typ = ' ', '', '', '', '', '', '', '', ''
    i, n = 0, len(spec)
    if n >= 2 and spec[1] in '<>=^':
        fill, align, i = spec[0], spec[1], 2
    elif n >= 1 and spec[0] in '<>=^':
        align, i = spec[0], 1
    if i < n and spec[i] in '+- ':
        sign = spec[i]; i += 1
    if i < n and spec[i] == 'z':
        i += 1
    if i < n and spec[i] == '#':
        alt = '#'; i += 1
    if i < n and spec[i] == '0':
        zero = '0'; i += 1
    j = i
    while i < n and spec[i].isdigit():
        i += 1
    width = spec[j:i]
    if i < n and spec[i] in ',_':
        group = spec[i]; i += 1
    if i < n and spec[i] == '.':
        j = i + 1
        i = j
        while i < n and spec[i].isdigit():
            i += 1
        prec = spec[j:i]
    typ = spec[i:]
    if len(typ) > 1:
        raise ValueError("Invalid format specifier '%s'" % spec)
    return fill, align, sign, alt, zero, width, group, prec, typ


def _pad(s, fill, align, width, numeric):
    if not width:
        return s
    w = int(width)
    if len(s) >= w:
        return s
    if not align:
        align = '>' if numeric else '<'
    k = w - len(s)
    if align == '<':
        return s + fill * k
    if align == '>':
        return fill * k + s
    if align == '^':
        return fill * (k // 2) + s + fill * (k - k // 2)
    # '=': padding after the sign
    if s and s[0] in '+- ':
        return s[0] + fill * k + s[1:]
    return fill * k + s


def _format_number(value, spec):
    fill, align, sign, alt, zero, width, group, prec, typ = _parse_spec(spec)
    if zero and not align:
        fill, align = '0', '='
    if typ in ('', 'd', 'n') and type(value) is not float:
        if typ == '' and not group and not isinstance(value, int):
            return None
        body = str(abs(int(value)))
        neg = value < 0
    elif typ in 'eEfFgG%' or type(value) is float:
        base = '{:' + ('.' + prec if prec else '') + (typ or ('g' if prec else '')) + '}'
        v = float(value)
        if typ == '' and not prec:
            body = repr(abs(v))
        else:
            body = base.format(abs(v))
        neg = v < 0 or (v == 0 and str(v)[0] == '-')
    else:
        return None
    if group:
        intpart, rest = body, ''
        for k, ch in enumerate(body):
            if not ch.isdigit():
                intpart, rest = body[:k], body[k:]
                break
        if fill == '0' and align == '=' and width:
            # zero padding counts the separators, as in CPython
            need = int(width) - len(rest) - (1 if (neg or sign in '+ ') else 0)
            while len(_group(intpart, group)) < need:
                intpart = '0' + intpart
            body = _group(intpart, group)[-max(need, 1):] if len(_group(intpart, group)) > need else _group(intpart, group)
            body = body.lstrip(group) + rest if body.startswith(group) else body + rest
        else:
            body = _group(intpart, group) + rest
    if neg:
        body = '-' + body
    elif sign in '+ ':
        body = sign + body
    return _pad(body, fill, align, width, True)


def format(value, spec=''):
    f = getattr(value, '__format__', None)
    if f is not None and type(value) not in (int, float, str, bool):
        try:
            return f(spec)
        except TypeError:
            pass
    if spec == '':
        return str(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (',' in spec or '_' in spec):
        r = _format_number(value, spec)
        if r is not None:
            return r
    if isinstance(value, bool) and spec[-1:] not in 'dxXobneEfFgG%':
        value = str(value)
    elif not isinstance(value, (int, float, str)):
        value = str(value)
    return ('{:' + spec + '}').format(value)


fmt = format


def str_format(template, *args, **kwargs):
    # A Python str.format for what MicroPython's cannot do (attribute and
    # index lookups, grouping in float specs, __format__ of objects).
    out = []
    i, n = 0, len(template)
    auto = 0
    while i < n:
        c = template[i]
        if c == '{':
            if template[i + 1:i + 2] == '{':
                out.append('{'); i += 2; continue
            depth, j = 1, i + 1
            while j < n and depth:
                if template[j] == '{':
                    depth += 1
                elif template[j] == '}':
                    depth -= 1
                j += 1
            if depth:
                raise ValueError("Single '{' encountered in format string")
            field = template[i + 1:j - 1]
            i = j
            conv = None
            spec = ''
            k = 0
            while k < len(field) and field[k] not in '!:':
                if field[k] == '[':
                    k = field.index(']', k)
                k += 1
            name, tail = field[:k], field[k:]
            if tail.startswith('!'):
                conv, tail = tail[1:2], tail[2:]
            if tail.startswith(':'):
                spec = tail[1:]
            if '{' in spec:
                spec = str_format(spec, *args, **kwargs)
            # resolve the field name
            p = 0
            while p < len(name) and name[p] not in '.[':
                p += 1
            first, rest = name[:p], name[p:]
            if first == '':
                obj = args[auto]; auto += 1
            elif first.isdigit():
                obj = args[int(first)]
            else:
                obj = kwargs[first]
            while rest:
                if rest[0] == '.':
                    q = 1
                    while q < len(rest) and rest[q] not in '.[':
                        q += 1
                    obj = getattr(obj, rest[1:q]); rest = rest[q:]
                else:
                    q = rest.index(']')
                    key = rest[1:q]
                    obj = obj[int(key)] if key.isdigit() else obj[key]
                    rest = rest[q + 1:]
            if conv == 'r':
                obj = repr(obj)
            elif conv == 's':
                obj = str(obj)
            elif conv == 'a':
                obj = ascii(obj) if 'ascii' in dir(__builtins__) else repr(obj)
            out.append(format(obj, spec))
        elif c == '}':
            if template[i + 1:i + 2] == '}':
                out.append('}'); i += 2; continue
            raise ValueError("Single '}' encountered in format string")
        else:
            j = template.find('{', i)
            k = template.find('}', i)
            if j < 0 or (0 <= k < j):
                j = k
            if j < 0:
                j = n
            out.append(template[i:j])
            i = j
    return ''.join(out)


def _bound_format(s):
    b = s.format

    def f(*args, **kwargs):
        if '[' in s or ',' in s or '_' in s or '%' in s:
            return str_format(s, *args, **kwargs)
        for a in args:
            if type(a) not in (int, float, str, bool) and a is not None:
                return str_format(s, *args, **kwargs)
        for a in kwargs.values():
            if type(a) not in (int, float, str, bool) and a is not None:
                return str_format(s, *args, **kwargs)
        try:
            return b(*args, **kwargs)
        except (NotImplementedError, ValueError, TypeError, KeyError, IndexError):
            return str_format(s, *args, **kwargs)
    return f


# ------------------------------------------------- methods missing on str

def _ljust(s, width, fillchar=' '):
    return s + fillchar * (width - len(s)) if width > len(s) else s


def _rjust(s, width, fillchar=' '):
    return fillchar * (width - len(s)) + s if width > len(s) else s


def _center(s, width, fillchar=' '):
    k = width - len(s)
    if k <= 0:
        return s
    left = k // 2 + (k & width & 1)
    return fillchar * left + s + fillchar * (k - left)


def _zfill(s, width):
    if len(s) >= width:
        return s
    if s[:1] in ('+', '-'):
        return s[0] + '0' * (width - len(s)) + s[1:]
    return '0' * (width - len(s)) + s


def _title(s):
    out = []
    prev = False
    for ch in s:
        if ch.isalpha():
            out.append(ch.lower() if prev else ch.upper())
            prev = True
        else:
            out.append(ch)
            prev = False
    return ''.join(out)


def _capitalize(s):
    return s[:1].upper() + s[1:].lower()


def _swapcase(s):
    return ''.join(c.lower() if c.isupper() else c.upper() for c in s)


def _isalnum(s):
    if not s:
        return False
    for c in s:
        if not (c.isalpha() or c.isdigit()):
            return False
    return True


def _istitle(s):
    return s != s.lower() and _title(s) == s if s else False


def _isidentifier(s):
    if not s or s[0].isdigit():
        return False
    for c in s:
        if not (c == '_' or c.isalpha() or c.isdigit()):
            return False
    return True


def _isdecimal(s):
    return bool(s) and all(c in '0123456789' for c in s)


def _isascii(s):
    return all(ord(c) < 128 for c in s)


def _isprintable(s):
    return all(ord(c) >= 32 and ord(c) != 127 for c in s)


def _casefold(s):
    return s.lower().replace('\u00df', 'ss')


def _removeprefix(s, p):
    return s[len(p):] if p and s.startswith(p) else s


def _removesuffix(s, p):
    return s[:-len(p)] if p and s.endswith(p) else s


def _expandtabs(s, tabsize=8):
    out = []
    col = 0
    for ch in s:
        if ch == '\t':
            k = tabsize - col % tabsize if tabsize > 0 else 0
            out.append(' ' * k); col += k
        elif ch in '\r\n':
            out.append(ch); col = 0
        else:
            out.append(ch); col += 1
    return ''.join(out)


def maketrans(x, y=None, z=None):
    t = {}
    if y is None:
        for k, v in x.items():
            t[ord(k) if isinstance(k, str) else k] = v
        return t
    if len(x) != len(y):
        raise ValueError('the first two maketrans arguments must have equal length')
    for a, b in zip(x, y):
        t[ord(a)] = ord(b)
    if z:
        for c in z:
            t[ord(c)] = None
    return t


def _translate(s, table):
    out = []
    for ch in s:
        o = ord(ch)
        try:
            r = table[o]
        except (KeyError, IndexError):
            out.append(ch)
            continue
        if r is None:
            continue
        out.append(chr(r) if isinstance(r, int) else r)
    return ''.join(out)


def _hexdigest(h):
    return h.digest().hex()


# bytes.hex and bytes.fromhex as CPython has them: MicroPython's hex() of
# b'' is b'', it has no bytes_per_sep, and its fromhex() skips any space.
_BYTES = (bytes, bytearray, memoryview)


_NOSEP = object()


def _hex(b, sep=_NOSEP, bytes_per_sep=1):
    h = bytes(b).hex()
    if sep is _NOSEP:
        return h or ''
    if isinstance(sep, (bytes, bytearray)):
        sep = bytes(sep).decode('latin-1')
    elif not isinstance(sep, str):
        raise TypeError("object of type '%s' has no len()" % type(sep).__name__)
    if len(sep) != 1:
        raise ValueError('sep must be length 1.')
    if ord(sep) > 127:
        raise ValueError('sep must be ASCII.')
    n = _index(bytes_per_sep) * 2
    if not h:
        return ''
    if n == 0 or n >= len(h) or n <= -len(h):
        return h
    if n > 0:
        # groups counted from the right
        first = len(h) % n or n
        parts = [h[:first]] + [h[i:i + n] for i in range(first, len(h), n)]
    else:
        n = -n
        parts = [h[i:i + n] for i in range(0, len(h), n)]
    return sep.join(parts)


def _index(v):
    if isinstance(v, (int, bool)):
        return int(v)
    raise TypeError("'%s' object cannot be interpreted as an integer" % type(v).__name__)


_HEXVAL = {}
for _i, _c in enumerate('0123456789abcdef'):
    _HEXVAL[ord(_c)] = _i
    _HEXVAL[ord(_c.upper())] = _i
del _i, _c
_HEXSPACE = b' \t\n\r\x0b\x0c'


def _fromhex(cls, s):
    if isinstance(s, str):
        b = s.encode()
        text = len(b) != len(s)
    elif isinstance(s, _BYTES):
        b = bytes(s)
        text = False
    else:
        raise TypeError('fromhex() argument must be str, not %s' % type(s).__name__)
    if not text and _strict_hex(b):
        try:
            return cls(bytes.fromhex(b))
        except ValueError:
            pass
    return _fromhex_slow(cls, b, text)


def _strict_hex(b):
    # whitespace only between pairs: the native decoder then agrees
    for part in b.split():
        if len(part) % 2:
            return False
    return True


def _fromhex_slow(cls, b, text):
    # finds the position CPython reports (in characters of a str argument)
    out = bytearray()
    i, n = 0, len(b)
    while i < n:
        c = b[i]
        if c in _HEXSPACE:
            i += 1
            continue
        hi = _HEXVAL.get(c)
        lo = _HEXVAL.get(b[i + 1]) if i + 1 < n else None
        if hi is None or lo is None:
            bad = i if hi is None else i + 1
            pos = len(b[:bad].decode('utf-8', 'replace')) if text else bad
            raise ValueError('non-hexadecimal number found in fromhex() arg at position %d' % pos)
        out.append(hi * 16 + lo)
        i += 2
    return cls(out)


_STR = {
    'ljust': _ljust, 'rjust': _rjust, 'zfill': _zfill, 'title': _title,
    'capitalize': _capitalize, 'swapcase': _swapcase, 'isalnum': _isalnum,
    'istitle': _istitle, 'isidentifier': _isidentifier, 'isdecimal': _isdecimal,
    'isnumeric': _isdecimal, 'isascii': _isascii, 'isprintable': _isprintable,
    'casefold': _casefold, 'removeprefix': _removeprefix,
    'removesuffix': _removesuffix, 'expandtabs': _expandtabs,
    'translate': _translate, 'center': _center,
}
_OVERRIDE = ('center',)


# sys is a built-in module whose attributes cannot be added to: the rewriter
# routes sys.getrecursionlimit()/setrecursionlimit() here. The real depth
# limit is the guest's stack (about 2,000 plain Python frames, see
# docs/differences.md); the value is kept so a program reads back what it set.
import sys as _sys
_recursion_limit = [1000]


def getrecursionlimit():
    return _recursion_limit[0]


def setrecursionlimit(limit):
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(limit).__name__)
    if limit < 1:
        raise ValueError('recursion limit must be greater or equal than 1')
    _recursion_limit[0] = limit


_SYS = {'getrecursionlimit': getrecursionlimit, 'setrecursionlimit': setrecursionlimit}
METHODS = tuple(_STR) + ('format', 'sort', 'hexdigest', 'maketrans', 'hex', 'fromhex') + tuple(_SYS)


def _bind(f, obj):
    return lambda *a, **k: f(obj, *a, **k)


def m(obj, name):
    """obj.name for a method that MicroPython's built-in types lack."""
    if name in _OVERRIDE and type(obj) is str:
        return _bind(_STR[name], obj)
    if name == 'hex':
        if type(obj) in _BYTES:
            return _bind(_hex, obj)
        if obj in _BYTES:
            return _hex
    if name == 'fromhex' and (obj is bytes or obj is bytearray):
        return _bind(_fromhex, obj)
    try:
        return getattr(obj, name)
    except AttributeError:
        pass
    t = type(obj)
    if isinstance(obj, (str, bytes)):
        f = _STR.get(name)
        if f is not None:
            return _bind(f, obj)
    if name == 'maketrans' and (obj is str or obj is bytes):
        return maketrans
    if name == 'hexdigest' and hasattr(obj, 'digest'):
        return lambda: _hexdigest(obj)
    if name in _SYS and obj is _sys:
        return _SYS[name]
    raise AttributeError("'%s' object has no attribute '%s'" % (t.__name__, name))


def mfmt(obj):
    """obj.format: our str.format when MicroPython's cannot do it."""
    if type(obj) is str:
        return _bound_format(obj)
    return obj.format


def msort(obj):
    if type(obj) is list:
        return lambda key=None, reverse=False: list_sort(obj, key, reverse)
    return obj.sort


# ----------------------------------------------------------- slicing

def sl(obj, start, stop, step):
    """obj[start:stop:step] (load only) for str/bytes, which MicroPython
    can only slice with step 1."""
    if step is None or step == 1:
        return obj[start:stop]
    if not isinstance(obj, (str, bytes, tuple)):
        try:
            return obj[start:stop:step]
        except NotImplementedError:
            pass
    idx = range(len(obj))[start:stop:step]
    if isinstance(obj, str):
        return ''.join([obj[i] for i in idx])
    if isinstance(obj, bytes):
        return bytes([obj[i] for i in idx])
    if isinstance(obj, tuple):
        return tuple([obj[i] for i in idx])
    return type(obj)([obj[i] for i in idx])


# ----------------------------------------------------- dict displays

def merge(*parts):
    """{**a, 'k': v, **b} -> merge((a,), ('k', v), (b,))"""
    d = {}
    for p in parts:
        if len(p) == 1:
            d.update(p[0])
        else:
            d[p[0]] = p[1]
    return d


# --------------------------------------------------------- classes

def cls(names, anns):
    """Decorator the rewriter puts directly above a class statement:
    names = class-level names in source order, anns = ((name, annotation
    source), ...) for annotated ones. MicroPython keeps neither."""
    def deco(c):
        try:
            d = {}
            for k, v in anns:
                d[k] = v
            c.__annotations__ = d
            c.__airlock_names__ = names
            c.__airlock_anns__ = anns
        except (AttributeError, TypeError):
            return c
        hook = getattr(c, '__airlock_fix__', None)
        if hook is not None:
            return hook(c)
        return c
    return deco


def fstr_eq(text, value, conv_spec=None):
    return text + repr(value)


def _ascii(o):
    r = repr(o)
    out = []
    for c in r:
        n = ord(c)
        if n < 128:
            out.append(c)
        elif n < 256:
            out.append('\\x%02x' % n)
        elif n < 65536:
            out.append('\\u%04x' % n)
        else:
            out.append('\\U%08x' % n)
    return ''.join(out)


_bround = round


def round(number, ndigits=None):
    # CPython rounds floats to ndigits correctly (from the exact binary
    # value, ties to even); MicroPython's round(2.675, 2) gives 2.68.
    if ndigits is None or type(number) is not float or number != number or \
            number in (float('inf'), float('-inf')):
        return _bround(number, ndigits) if ndigits is not None else _bround(number)
    import math
    m, e = math.frexp(number)
    n = int(m * (1 << 53))
    e -= 53
    # number == n * 2**e exactly
    if ndigits >= 0:
        num = n * 10 ** ndigits
        den = 1
    else:
        num = n
        den = 10 ** -ndigits
    if e >= 0:
        num <<= e
    else:
        den <<= -e
    q, r = divmod(num, den)
    if 2 * r > den or (2 * r == den and q & 1):
        q += 1
    if ndigits >= 0:
        res = q / 10 ** ndigits
    else:
        res = float(q * 10 ** -ndigits)
    return res if res or number > 0 else -0.0 if number < 0 else 0.0


def make_open(_open):
    def open(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None,
             closefd=True, opener=None):
        # MicroPython's open takes (file, mode); text is always UTF-8.
        return _open(file, mode)
    return open
