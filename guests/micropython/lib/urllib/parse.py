# urllib.parse for airlock (parsing and quoting only; no network).
from collections import namedtuple as _nt

_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~'
uses_netloc = ['', 'ftp', 'http', 'https', 'ws', 'wss', 'file', 'sftp', 'git', 'svn', 'ssh']


class _NetlocMixin:
    @property
    def hostname(self):
        h = self.netloc.rpartition('@')[2]
        if h.startswith('['):
            return h[1:h.find(']')].lower()
        return h.partition(':')[0].lower() or None

    @property
    def port(self):
        h = self.netloc.rpartition('@')[2]
        if h.startswith('['):
            h = h[h.find(']') + 1:]
        p = h.partition(':')[2]
        if not p:
            return None
        if not p.isdigit() or not 0 <= int(p) <= 65535:
            raise ValueError('Port out of range 0-65535')
        return int(p)

    @property
    def username(self):
        u = self.netloc.rpartition('@')
        return u[0].partition(':')[0] if u[1] else None

    @property
    def password(self):
        u = self.netloc.rpartition('@')
        return (u[0].partition(':')[2] or None) if u[1] else None

    def geturl(self):
        return urlunparse(self) if len(self) == 6 else urlunsplit(self)


_PR = _nt('ParseResult', ['scheme', 'netloc', 'path', 'params', 'query', 'fragment'])
_SR = _nt('SplitResult', ['scheme', 'netloc', 'path', 'query', 'fragment'])


class ParseResult(_PR, _NetlocMixin):
    pass


class SplitResult(_SR, _NetlocMixin):
    pass


def urlsplit(url, scheme='', allow_fragments=True):
    netloc = query = fragment = ''
    i = url.find(':')
    if i > 0 and url[0].isalpha() and all(c.isalpha() or c.isdigit() or c in '+-.' for c in url[:i]):
        scheme, url = url[:i].lower(), url[i + 1:]
    if url[:2] == '//':
        rest = url[2:]
        end = len(rest)
        for c in '/?#':
            k = rest.find(c)
            if k >= 0:
                end = min(end, k)
        netloc, url = rest[:end], rest[end:]
    if allow_fragments and '#' in url:
        url, fragment = url.split('#', 1)
    if '?' in url:
        url, query = url.split('?', 1)
    return SplitResult(scheme, netloc, url, query, fragment)


def urlparse(url, scheme='', allow_fragments=True):
    s = urlsplit(url, scheme, allow_fragments)
    path, params = s.path, ''
    if ';' in path:
        path, params = path.split(';', 1)
    return ParseResult(s.scheme, s.netloc, path, params, s.query, s.fragment)


def urlunsplit(parts):
    scheme, netloc, url, query, fragment = parts
    if netloc or (scheme and scheme in uses_netloc and url[:2] != '//'):
        if url and url[:1] != '/':
            url = '/' + url
        url = '//' + (netloc or '') + url
    if scheme:
        url = scheme + ':' + url
    if query:
        url = url + '?' + query
    if fragment:
        url = url + '#' + fragment
    return url


def urlunparse(parts):
    scheme, netloc, url, params, query, fragment = parts
    if params:
        url = '%s;%s' % (url, params)
    return urlunsplit((scheme, netloc, url, query, fragment))


def urljoin(base, url, allow_fragments=True):
    if not base:
        return url
    if not url:
        return base
    u = urlparse(url)
    if u.scheme:
        return url
    b = urlparse(base)
    if u.netloc:
        return urlunparse((b.scheme,) + tuple(u)[1:])
    if not u.path:
        path = b.path
        query = u.query or b.query
    else:
        if u.path.startswith('/'):
            segs = u.path.split('/')
        else:
            segs = b.path.split('/')[:-1] + u.path.split('/')
        out = []
        for sg in segs[1:] if segs and segs[0] == '' else segs:
            if sg == '..':
                if out:
                    out.pop()
            elif sg != '.':
                out.append(sg)
        if segs and segs[-1] in ('.', '..'):
            out.append('')
        path = '/' + '/'.join(out)
        query = u.query
    return urlunparse((b.scheme, b.netloc, path, u.params, query, u.fragment))


def quote(string, safe='/', encoding='utf-8', errors='strict'):
    if isinstance(string, str):
        string = string.encode(encoding)
    ok = _SAFE + safe
    return ''.join(chr(b) if chr(b) in ok else '%%%02X' % b for b in string)


def quote_plus(string, safe='', encoding='utf-8', errors='strict'):
    if isinstance(string, str) and ' ' in string:
        return quote(string, safe + ' ', encoding).replace(' ', '+')
    return quote(string, safe, encoding)


def unquote_to_bytes(s):
    if isinstance(s, str):
        s = s.encode('utf-8')
    out = bytearray()
    i, n = 0, len(s)
    while i < n:
        c = s[i]
        if c == 37 and i + 2 < n + 0 and i + 2 <= n - 1 + 1:
            h = s[i + 1:i + 3]
            try:
                out.append(int(h, 16))
                i += 3
                continue
            except ValueError:
                pass
        out.append(c)
        i += 1
    return bytes(out)


def unquote(string, encoding='utf-8', errors='replace'):
    if '%' not in string:
        return string
    return unquote_to_bytes(string).decode(encoding)


def unquote_plus(string, encoding='utf-8', errors='replace'):
    return unquote(string.replace('+', ' '), encoding, errors)


def urlencode(query, doseq=False, safe='', encoding=None, errors=None, quote_via=quote_plus):
    if hasattr(query, 'items'):
        query = query.items()
    out = []
    for k, v in query:
        k = quote_via(str(k) if not isinstance(k, bytes) else k, safe)
        if doseq and isinstance(v, (list, tuple)):
            for x in v:
                out.append(k + '=' + quote_via(str(x) if not isinstance(x, bytes) else x, safe))
        else:
            out.append(k + '=' + quote_via(str(v) if not isinstance(v, bytes) else v, safe))
    return '&'.join(out)


def parse_qsl(qs, keep_blank_values=False, strict_parsing=False, encoding='utf-8',
              errors='replace', max_num_fields=None, separator='&'):
    out = []
    for part in qs.split(separator):
        if not part:
            continue
        k, eq, v = part.partition('=')
        if not eq and strict_parsing:
            raise ValueError('bad query field: %r' % (part,))
        if v or keep_blank_values:
            out.append((unquote_plus(k), unquote_plus(v)))
    return out


def parse_qs(qs, keep_blank_values=False, strict_parsing=False, encoding='utf-8',
             errors='replace', max_num_fields=None, separator='&'):
    from collections import ordered
    d = ordered()
    for k, v in parse_qsl(qs, keep_blank_values, strict_parsing, separator=separator):
        if k in d:
            d[k].append(v)
        else:
            d[k] = [v]
    return d


def urldefrag(url):
    if '#' in url:
        u, f = url.split('#', 1)
        return u, f
    return url, ''
