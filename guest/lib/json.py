# json for airlock: the guest's C decoder, and an encoder written in Python
# that supports CPython's keyword arguments (indent, sort_keys, separators,
# default, ensure_ascii, cls, skipkeys, allow_nan). Linear time.
import _airlock_orig
_c = _airlock_orig.load('json', False)
del _airlock_orig


class JSONDecodeError(ValueError):
    def __init__(self, msg, doc='', pos=0):
        super().__init__(msg)
        self.msg = msg
        self.doc = doc
        self.pos = pos
        self.lineno = doc.count('\n', 0, pos) + 1 if isinstance(doc, str) else 1
        self.colno = pos + 1


_ESC = {'"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t',
        '\b': '\\b', '\f': '\\f'}


def _str(s, ascii_):
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


_PLAIN = (str, int, float, bool, type(None))


def _plain(obj):
    # Only exact built-in JSON types: the C encoder prints anything else with
    # repr(), and key order and key types must be what CPython would emit.
    todo = [obj]
    while todo:
        o = todo.pop()
        t = type(o)
        if t in _PLAIN:
            continue
        if t is dict:
            for k in o:
                if type(k) is not str:
                    return False
            todo.extend(o.values())
        elif t is list or t is tuple:
            todo.extend(o)
        else:
            return False
    return True


def _fast_dumps(obj):
    # The C encoder, when its output is what CPython's default would be:
    # plain data, ASCII only (CPython escapes the rest by default).
    if not _plain(obj):
        return None
    try:
        s = _c.dumps(obj)
    except (TypeError, ValueError):
        return None
    return s if len(s) == len(s.encode()) else None


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
        d = {}
        for k, v in o.items():
            d[k] = _hook(v, object_hook, pairs_hook, parse_float, parse_int)
        if pairs_hook is not None:
            return pairs_hook(list(d.items()))
        return object_hook(d) if object_hook is not None else d
    if isinstance(o, list):
        return [_hook(v, object_hook, pairs_hook, parse_float, parse_int) for v in o]
    if parse_float is not None and isinstance(o, float):
        return parse_float(repr(o))
    if parse_int is not None and isinstance(o, int) and not isinstance(o, bool):
        return parse_int(str(o))
    return o


_WS = ' \t\n\r'
_NUMCH = '0123456789+-.eE'


def _err(msg, s, i):
    line = s.count('\n', 0, i) + 1
    col = i - s.rfind('\n', 0, i)
    return JSONDecodeError('%s: line %d column %d (char %d)' % (msg, line, col, i), s, i)


def _parse(s):
    # Python decoder that keeps object key order (MicroPython's dict does
    # not): objects become collections.ordered dicts.
    from collections import ordered
    n = len(s)
    stack = []          # containers being built
    keys = []           # pending key per object
    i = 0
    result = None
    have = False
    while True:
        while i < n and s[i] in _WS:
            i += 1
        if i >= n:
            raise _err('Expecting value', s, i)
        c = s[i]
        # parse one value
        if c == '{':
            j = i + 1
            while j < n and s[j] in _WS:
                j += 1
            if j < n and s[j] == '}':
                val = ordered()
                i = j + 1
            else:
                stack.append(ordered())
                i = j
                if i >= n or s[i] != '"':
                    raise _err('Expecting property name enclosed in double quotes', s, i)
                k, i = _pstr(s, i)
                while i < n and s[i] in _WS:
                    i += 1
                if i >= n or s[i] != ':':
                    raise _err("Expecting ':' delimiter", s, i)
                i += 1
                keys.append(k)
                continue
        elif c == '[':
            j = i + 1
            while j < n and s[j] in _WS:
                j += 1
            if j < n and s[j] == ']':
                val = []
                i = j + 1
            else:
                stack.append([])
                keys.append(None)
                i = j
                continue
        elif c == '"':
            val, i = _pstr(s, i)
        elif c in '-0123456789':
            j = i
            while j < n and s[j] in _NUMCH:
                j += 1
            t = s[i:j]
            try:
                val = float(t) if ('.' in t or 'e' in t or 'E' in t) else int(t)
            except ValueError:
                raise _err('Expecting value', s, i)
            i = j
        elif s.startswith('true', i):
            val, i = True, i + 4
        elif s.startswith('false', i):
            val, i = False, i + 5
        elif s.startswith('null', i):
            val, i = None, i + 4
        elif s.startswith('NaN', i):
            val, i = float('nan'), i + 3
        elif s.startswith('Infinity', i):
            val, i = float('inf'), i + 8
        elif s.startswith('-Infinity', i):
            val, i = float('-inf'), i + 9
        else:
            raise _err('Expecting value', s, i)
        # attach the value; close finished containers
        while True:
            if not stack:
                while i < n and s[i] in _WS:
                    i += 1
                if i != n:
                    raise _err('Extra data', s, i)
                return val
            top = stack[-1]
            if isinstance(top, list):
                top.append(val)
            else:
                top[keys[-1]] = val
            while i < n and s[i] in _WS:
                i += 1
            if i >= n:
                raise _err("Expecting ',' delimiter", s, i)
            c = s[i]
            if c == ',':
                i += 1
                if not isinstance(top, list):
                    while i < n and s[i] in _WS:
                        i += 1
                    if i >= n or s[i] != '"':
                        raise _err('Expecting property name enclosed in double quotes', s, i)
                    k, i = _pstr(s, i)
                    while i < n and s[i] in _WS:
                        i += 1
                    if i >= n or s[i] != ':':
                        raise _err("Expecting ':' delimiter", s, i)
                    i += 1
                    keys[-1] = k
                break
            if (c == ']' and isinstance(top, list)) or (c == '}' and not isinstance(top, list)):
                i += 1
                val = stack.pop()
                keys.pop()
                continue
            raise _err("Expecting ',' delimiter", s, i)


_UNESC = {'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}


def _pstr(s, i):
    j = i + 1
    out = []
    n = len(s)
    while True:
        k = s.find('"', j)
        b = s.find('\\', j)
        if k < 0:
            raise _err('Unterminated string starting at', s, i)
        if b < 0 or b > k:
            out.append(s[j:k])
            return ''.join(out), k + 1
        out.append(s[j:b])
        e = s[b + 1:b + 2]
        if e == 'u':
            code = int(s[b + 2:b + 6], 16)
            j = b + 6
            if 0xd800 <= code < 0xdc00 and s[j:j + 2] == '\\u':
                low = int(s[j + 2:j + 6], 16)
                if 0xdc00 <= low < 0xe000:
                    code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00)
                    j += 6
            out.append(chr(code))
        elif e in _UNESC:
            out.append(_UNESC[e])
            j = b + 2
        else:
            raise _err('Invalid \\escape', s, b)


def loads(s, *, cls=None, object_hook=None, parse_float=None, parse_int=None,
          parse_constant=None, object_pairs_hook=None, **kw):
    if isinstance(s, (bytes, bytearray)):
        s = s.decode('utf-8')
    if not isinstance(s, str):
        raise TypeError('the JSON object must be str, bytes or bytearray, not %s' % type(s).__name__)
    # The Python decoder keeps key order like CPython; beyond a size where
    # its speed matters more than order, the C decoder takes over.
    if len(s) <= 65536:
        o = _parse(s)
    else:
        try:
            o = _c.loads(s)   # very large input: the C decoder (key order lost)
        except ValueError as e:
            raise JSONDecodeError('Invalid JSON: %s' % (e.args[0] if e.args else 'syntax error'), s, 0)
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
