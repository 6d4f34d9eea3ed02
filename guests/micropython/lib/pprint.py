# pprint for airlock.
import sys


def _safe_key(x):
    return (str(type(x)), x) if False else x


def _sorted_items(d):
    try:
        return sorted(d.items(), key=lambda kv: kv[0])
    except TypeError:
        return list(d.items())


def _repr(o, sort_dicts):
    if type(o) is dict:
        items = _sorted_items(o) if sort_dicts else list(o.items())
        return '{' + ', '.join('%s: %s' % (_repr(k, sort_dicts), _repr(v, sort_dicts)) for k, v in items) + '}'
    if type(o) is list:
        return '[' + ', '.join(_repr(v, sort_dicts) for v in o) + ']'
    if type(o) is tuple:
        if len(o) == 1:
            return '(' + _repr(o[0], sort_dicts) + ',)'
        return '(' + ', '.join(_repr(v, sort_dicts) for v in o) + ')'
    return repr(o)


def _fmt(o, indent, width, level, sort_dicts, out, cur):
    r = _repr(o, sort_dicts)
    if len(r) <= width - cur or not isinstance(o, (dict, list, tuple)):
        out.append(r)
        return
    pad = ' ' * (cur + 1) if indent == 1 else ' ' * (cur + indent)
    if isinstance(o, dict):
        items = _sorted_items(o) if sort_dicts else list(o.items())
        out.append('{')
        for i, (k, v) in enumerate(items):
            kr = _repr(k, sort_dicts) + ': '
            if i:
                out.append(',\n' + pad)
            out.append(kr)
            _fmt(v, indent, width - (1 if i == len(items) - 1 else 1), level + 1, sort_dicts, out, len(pad) + len(kr) if i else cur + 1 + len(kr))
        out.append('}')
    else:
        op, cl = ('[', ']') if isinstance(o, list) else ('(', ')')
        out.append(op)
        for i, v in enumerate(o):
            if i:
                out.append(',\n' + pad)
            _fmt(v, indent, width - 1, level + 1, sort_dicts, out, cur + 1)
        if isinstance(o, tuple) and len(o) == 1:
            out.append(',')
        out.append(cl)


def pformat(obj, indent=1, width=80, depth=None, *, compact=False, sort_dicts=True, underscore_numbers=False):
    out = []
    _fmt(obj, indent, width, 0, sort_dicts, out, 0)
    return ''.join(out)


def pprint(obj, stream=None, indent=1, width=80, depth=None, *, compact=False, sort_dicts=True, underscore_numbers=False):
    s = pformat(obj, indent, width, depth, compact=compact, sort_dicts=sort_dicts)
    if stream is None:
        print(s)
    else:
        stream.write(s + '\n')


def pp(obj, *args, sort_dicts=False, **kw):
    pprint(obj, *args, sort_dicts=sort_dicts, **kw)


def saferepr(obj):
    return _repr(obj, True)


def isreadable(obj):
    return True


def isrecursive(obj):
    return False


class PrettyPrinter:
    def __init__(self, indent=1, width=80, depth=None, stream=None, *, compact=False, sort_dicts=True, underscore_numbers=False):
        self._kw = dict(indent=indent, width=width, depth=depth)
        self._stream = stream
        self._sort = sort_dicts

    def pformat(self, obj):
        return pformat(obj, sort_dicts=self._sort, **self._kw)

    def pprint(self, obj):
        pprint(obj, self._stream, sort_dicts=self._sort, **self._kw)
