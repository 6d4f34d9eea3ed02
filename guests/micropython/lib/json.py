# json for airlock: a decoder written in Python that keeps key order and
# reports errors as CPython does (linear: it works on the UTF-8 bytes), and an
# encoder that supports CPython's keyword arguments (indent, sort_keys,
# separators, default, ensure_ascii, cls, skipkeys, allow_nan), using the
# guest's C encoder when the output is the same.
import _airlock_orig
from collections import ordered as _ordered, _Ordered
_c = _airlock_orig.load('json', False)
del _airlock_orig
try:
    from _airlock import json_scan as _scan, json_plain as _plain
except ImportError:
    _scan = _plain = None


class JSONDecodeError(ValueError):
    def __init__(self, msg, doc='', pos=0):
        text = isinstance(doc, str)
        lineno = doc.count('\n', 0, pos) + 1 if text else 1
        colno = pos - doc.rfind('\n', 0, pos) if text else pos + 1
        super().__init__('%s: line %d column %d (char %d)' % (msg, lineno, colno, pos))
        self.msg = msg
        self.doc = doc
        self.pos = pos
        self.lineno = lineno
        self.colno = colno


_ESC = {'"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t',
        '\b': '\\b', '\f': '\\f'}


def _str(s, ascii_):
    # The guest's C encoder escapes what CPython escapes but for \b, \f
    # (longer there), DEL and non-ASCII (raw there): when its answer only
    # adds the quotes and neither of those is in s, it is CPython's.
    r = _c.dumps(s)
    if len(r) == len(s) + 2 and '\x7f' not in s and (not ascii_ or len(r.encode()) == len(r)):
        return r
    out = ['"']
    for ch in s:
        e = _ESC.get(ch)
        if e is not None:
            out.append(e)
            continue
        o = ord(ch)
        if o < 0x20:
            out.append('\\u%04x' % o)
        elif o > 126 and ascii_:
            if o > 0xffff:
                o -= 0x10000
                out.append('\\u%04x\\u%04x' % (0xd800 | (o >> 10), 0xdc00 | (o & 0x3ff)))
            else:
                out.append('\\u%04x' % o)
        else:
            out.append(ch)
    out.append('"')
    return ''.join(out)


def _float(f, allow_nan):
    if f != f:
        r = 'NaN'
    elif f == float('inf'):
        r = 'Infinity'
    elif f == -float('inf'):
        r = '-Infinity'
    else:
        return repr(f)
    if not allow_nan:
        raise ValueError('Out of range float values are not JSON compliant')
    return r


class JSONEncoder:
    item_separator = ', '
    key_separator = ': '

    def __init__(self, *, skipkeys=False, ensure_ascii=True, check_circular=True,
                 allow_nan=True, sort_keys=False, indent=None, separators=None,
                 default=None):
        self.skipkeys = skipkeys
        self.ensure_ascii = ensure_ascii
        self.allow_nan = allow_nan
        self.sort_keys = sort_keys
        self.indent = indent
        if separators is not None:
            self.item_separator, self.key_separator = separators
        elif indent is not None:
            self.item_separator = ','
        if default is not None:
            self.default = default

    def default(self, o):
        raise TypeError('Object of type %s is not JSON serializable' % type(o).__name__)

    def encode(self, o):
        out = []
        self._enc(o, out, 0, [])
        return ''.join(out)

    def iterencode(self, o, _one_shot=False):
        return iter([self.encode(o)])

    def _key(self, k):
        if isinstance(k, str):
            return k
        if k is True:
            return 'true'
        if k is False:
            return 'false'
        if k is None:
            return 'null'
        if isinstance(k, float):
            return _float(k, self.allow_nan)
        if isinstance(k, int):
            return str(int(k))
        if self.skipkeys:
            return None
        raise TypeError('keys must be str, int, float, bool or None, not %s' % type(k).__name__)

    def _enc(self, o, out, level, stack):
        if isinstance(o, str):
            out.append(_str(o, self.ensure_ascii))
        elif o is None:
            out.append('null')
        elif o is True:
            out.append('true')
        elif o is False:
            out.append('false')
        elif isinstance(o, int):
            out.append(str(int(o)))
        elif isinstance(o, float):
            out.append(_float(o, self.allow_nan))
        elif isinstance(o, (list, tuple)):
            self._seq(o, out, level, stack)
        elif isinstance(o, dict):
            self._map(o, out, level, stack)
        else:
            for s in stack:
                if s is o:
                    raise ValueError('Circular reference detected')
            stack.append(o)
            self._enc(self.default(o), out, level, stack)
            stack.pop()

    def _nl(self, level):
        ind = self.indent
        if isinstance(ind, int):
            ind = ' ' * ind
        return '\n' + ind * level

    def _seq(self, o, out, level, stack):
        if not o:
            out.append('[]')
            return
        for s in stack:
            if s is o:
                raise ValueError('Circular reference detected')
        stack.append(o)
        out.append('[')
        nl = self.indent is not None
        first = True
        for v in o:
            if not first:
                out.append(self.item_separator)
            first = False
            if nl:
                out.append(self._nl(level + 1))
            self._enc(v, out, level + 1, stack)
        if nl:
            out.append(self._nl(level))
        out.append(']')
        stack.pop()

    def _map(self, o, out, level, stack):
        if not o:
            out.append('{}')
            return
        for s in stack:
            if s is o:
                raise ValueError('Circular reference detected')
        stack.append(o)
        out.append('{')
        nl = self.indent is not None
        items = list(o.items())
        if self.sort_keys:
            items = sorted(items, key=lambda kv: kv[0])
        first = True
        for k, v in items:
            ks = self._key(k)
            if ks is None:
                continue
            if not first:
                out.append(self.item_separator)
            first = False
            if nl:
                out.append(self._nl(level + 1))
            out.append(_str(ks, self.ensure_ascii))
            out.append(self.key_separator)
            self._enc(v, out, level + 1, stack)
        if nl:
            out.append(self._nl(level))
        out.append('}')
        stack.pop()


# The guest's C encoder is used when its output is what CPython's default
# would be: the host walks the object in guest memory and says whether it is
# plain data (exact built-in JSON types, str keys, finite floats, strings the
# two encoders escape alike: src/guests/micropython/jsonplain.c); anything
# else, cycles included, takes the Python encoder. The host gets the types
# and the object by their id(), the guest's word for each.
_PLAIN_TYPES = '%d %d %d %d %d %d ' % (id(str), id(int), id(float), id(list), id(tuple), id(dict))


def _fast_dumps(obj):
    if _plain is None or _plain(_PLAIN_TYPES + str(id(obj))) is not True:
        return None
    try:
        return _c.dumps(obj)
    except (TypeError, ValueError):
        return None


def dumps(obj, *, skipkeys=False, ensure_ascii=True, check_circular=True,
          allow_nan=True, cls=None, indent=None, separators=None, default=None,
          sort_keys=False, **kw):
    if (cls is None and indent is None and separators is None and default is None
            and not sort_keys and not skipkeys and ensure_ascii and allow_nan and not kw):
        s = _fast_dumps(obj)
        if s is not None:
            return s
    enc = (cls or JSONEncoder)(skipkeys=skipkeys, ensure_ascii=ensure_ascii,
                               check_circular=check_circular, allow_nan=allow_nan,
                               indent=indent, separators=separators, default=default,
                               sort_keys=sort_keys, **kw)
    return enc.encode(obj)


def dump(obj, fp, **kw):
    fp.write(dumps(obj, **kw))


def _hook(o, object_hook, pairs_hook, parse_float, parse_int):
    if isinstance(o, dict):
        pairs = [(k, _hook(v, object_hook, pairs_hook, parse_float, parse_int)) for k, v in o.items()]
        if pairs_hook is not None:
            return pairs_hook(pairs)
        d = _ordered(pairs)
        return object_hook(d) if object_hook is not None else d
    if isinstance(o, list):
        return [_hook(v, object_hook, pairs_hook, parse_float, parse_int) for v in o]
    if parse_float is not None and isinstance(o, float):
        return parse_float(repr(o))
    if parse_int is not None and isinstance(o, int) and not isinstance(o, bool):
        return parse_int(str(o))
    return o


# The decoder works on the UTF-8 bytes: indexing a MicroPython str is
# O(index) (it walks the UTF-8 text), so a str-based parser is quadratic.
# Positions in errors are character offsets, as CPython reports them.
_WS = b' \t\n\r'
_NUMCH = b'0123456789+-.eE'
_DIGITS = b'-0123456789'
_Q, _BS, _LBRACE, _RBRACE, _LBRACK, _RBRACK, _COMMA, _COLON = b'"\\{}[],:'


class _Doc:
    # the text (for errors) and its bytes (for parsing)
    def __init__(self, s):
        self.s = s
        self.b = s.encode()
        self.ascii = len(self.b) == len(s)

    def err(self, msg, i):
        # i is a byte offset at an ASCII character: count the characters before it
        return JSONDecodeError(msg, self.s, i if self.ascii else len(self.b[:i].decode()))


def _obj(ks, vs):
    # an ordered dict from its keys and values in document order, filled in
    # one native update (the class's __setitem__ costs a call per key); a
    # repeated key keeps its first place and its last value, as in CPython
    o = _ordered()
    super(_Ordered, o).update(zip(ks, vs))
    if len(o) != len(ks):
        seen = set()
        ks = [k for k in ks if not (k in seen or seen.add(k))]
    o._k = ks
    return o


def _key(d, b, i, n):
    # a property name at i (after whitespace), then ':'; returns (key, index after ':')
    if i >= n or b[i] != _Q:
        raise d.err('Expecting property name enclosed in double quotes', i)
    k = b.find(b'"', i + 1)
    if k > 0 and b.find(b'\\', i + 1, k) < 0:
        key = b[i + 1:k].decode()
        i = k + 1
    else:
        key, i = _pstr(d, b, i)
    if i < n and b[i] == _COLON:
        return key, i + 1
    while i < n and b[i] in _WS:
        i += 1
    if i >= n or b[i] != _COLON:
        raise d.err("Expecting ':' delimiter", i)
    return key, i + 1


def _parse(s):
    # Python decoder that keeps object key order (MicroPython's dict does
    # not): objects become collections.ordered dicts. Linear in len(s).
    # Whitespace is skipped inline: a call costs more than the loop.
    # stack: the values of each open container; keys: per open container,
    # None for an array, the list of its keys so far for an object.
    d = _Doc(s)
    b = d.b
    n = len(b)
    stack = []          # containers being built
    keys = []           # pending key per object
    i = 0
    while True:
        while i < n and b[i] in _WS:
            i += 1
        if i >= n:
            raise d.err('Expecting value', i)
        c = b[i]
        # parse one value
        if c == _Q:
            k = b.find(b'"', i + 1)
            if k > 0 and b.find(b'\\', i + 1, k) < 0:
                val = b[i + 1:k].decode()
                i = k + 1
            else:
                val, i = _pstr(d, b, i)
        elif c in _DIGITS:
            j = i + 1
            while j < n and b[j] in _NUMCH:
                j += 1
            t = b[i:j]
            try:
                val = float(t) if (b'.' in t or b'e' in t or b'E' in t) else int(t)
            except ValueError:
                raise d.err('Expecting value', i)
            i = j
        elif c == _LBRACE:
            j = i + 1
            while j < n and b[j] in _WS:
                j += 1
            if j < n and b[j] == _RBRACE:
                val = _obj([], [])
                i = j + 1
            else:
                stack.append([])
                k, i = _key(d, b, j, n)
                keys.append([k])
                continue
        elif c == _LBRACK:
            j = i + 1
            while j < n and b[j] in _WS:
                j += 1
            if j < n and b[j] == _RBRACK:
                val = []
                i = j + 1
            else:
                stack.append([])
                keys.append(None)
                i = j
                continue
        elif b.startswith(b'true', i):
            val, i = True, i + 4
        elif b.startswith(b'false', i):
            val, i = False, i + 5
        elif b.startswith(b'null', i):
            val, i = None, i + 4
        elif b.startswith(b'NaN', i):
            val, i = float('nan'), i + 3
        elif b.startswith(b'Infinity', i):
            val, i = float('inf'), i + 8
        elif b.startswith(b'-Infinity', i):
            val, i = float('-inf'), i + 9
        else:
            raise d.err('Expecting value', i)
        # attach the value; close finished containers
        while True:
            if not stack:
                while i < n and b[i] in _WS:
                    i += 1
                if i != n:
                    raise d.err('Extra data', i)
                return val
            stack[-1].append(val)
            is_list = keys[-1] is None
            while i < n and b[i] in _WS:
                i += 1
            if i >= n:
                raise d.err("Expecting ',' delimiter", i)
            c = b[i]
            if c == _COMMA:
                i += 1
                if not is_list:
                    while i < n and b[i] in _WS:
                        i += 1
                    k, i = _key(d, b, i, n)
                    keys[-1].append(k)
                break
            if c == (_RBRACK if is_list else _RBRACE):
                i += 1
                val = stack.pop()
                ks = keys.pop()
                if ks is not None:
                    val = _obj(ks, val)
                continue
            raise d.err("Expecting ',' delimiter", i)


_UNESC = {0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t'}


def _hex4(d, b, j):
    try:
        return int(b[j:j + 4], 16)
    except ValueError:
        raise d.err('Invalid \\uXXXX escape', j - 1)


def _pstr(d, b, i):
    # the string whose opening quote is at i; returns (text, index after it)
    j = i + 1
    out = []
    while True:
        k = b.find(b'"', j)
        if k < 0:
            raise d.err('Unterminated string starting at', i)
        e = b.find(b'\\', j, k)
        if e < 0:
            out.append(b[j:k].decode())
            return ''.join(out), k + 1
        out.append(b[j:e].decode())
        c = b[e + 1] if e + 1 < len(b) else 0
        if c == 0x75:  # \uXXXX, surrogate pairs joined
            code = _hex4(d, b, e + 2)
            j = e + 6
            if 0xd800 <= code < 0xdc00 and b[j:j + 2] == b'\\u':
                low = _hex4(d, b, j + 2)
                if 0xdc00 <= low < 0xe000:
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                    j += 6
            out.append(chr(code))
        elif c in _UNESC:
            out.append(_UNESC[c])
            j = e + 2
        else:
            raise d.err('Invalid \\escape', e)


def _fast(s):
    # The host's strict scanner checks the text as CPython does and rewrites
    # it for the guest's C decoder, which is fast but lax and forgets key
    # order (src/guests/micropython/json.c); the objects are then rebuilt
    # here, one step per container. None: the Python parser decides (also
    # for the document null, which it parses at once).
    r = _scan(s) if _scan is not None else None
    if type(r) is not str or r == '?':
        return None   # no scanner, out of memory, or not ours to decide
    if r[0] == '!':
        pos, msg = r[1:].split(' ', 1)
        raise JSONDecodeError(msg, s, int(pos))
    root, table, shapes = _c.loads(r)
    r = None   # the rewritten text is garbage now: let the collector have it
    if not table:
        return root
    stack = []
    push = stack.append
    obj = _Object
    for e in table:
        vals, fills = e[-2], e[-1]
        if fills:
            base = len(stack) - len(fills)
            if len(fills) == len(vals) and len(e) == 2:
                vals = stack[base:]   # an array of containers only: fills are 0..n-1
            else:
                for j in range(len(fills)):
                    vals[fills[j]] = stack[base + j]
            del stack[base:]
        if len(e) == 3:
            ks = shapes[e[0]]
            if len(vals) != len(ks):
                return None   # a repeated key: the Python parser keeps its first place
            vals = obj(vals)
            vals._k = ks[:]   # its own: the object's inserts append to it
        push(vals)
    return stack[0]


class _Object(_Ordered):
    # a decoded object: MicroPython hands the constructor's argument (the C
    # decoder's dict) to the native dict, which copies it in C; _fast then
    # sets the key order (_k), so this sets nothing
    def __init__(self, d):
        pass


def loads(s, *, cls=None, object_hook=None, parse_float=None, parse_int=None,
          parse_constant=None, object_pairs_hook=None, **kw):
    if isinstance(s, (bytes, bytearray)):
        s = s.decode('utf-8')
    if not isinstance(s, str):
        raise TypeError('the JSON object must be str, bytes or bytearray, not %s' % type(s).__name__)
    o = _fast(s)
    if o is None:
        o = _parse(s)
    if object_hook or object_pairs_hook or parse_float or parse_int:
        o = _hook(o, object_hook, object_pairs_hook, parse_float, parse_int)
    return o


def load(fp, **kw):
    return loads(fp.read(), **kw)


class JSONDecoder:
    def __init__(self, *, object_hook=None, parse_float=None, parse_int=None,
                 parse_constant=None, strict=True, object_pairs_hook=None):
        self.kw = dict(object_hook=object_hook, parse_float=parse_float,
                       parse_int=parse_int, object_pairs_hook=object_pairs_hook)

    def decode(self, s):
        return loads(s, **self.kw)
