# requests - the subset of the requests API airlock offers over granted
# origins (--allow-net HOST[:PORT]).
#
# Installed into the requests module after the host function _request is
# bound. Every check that matters (which origins, redirects, addresses,
# sizes, time) is made by the host (src/plugins/net.c); this file shapes
# the call and the response like requests does.

__version__ = '2.31.0-airlock'


class RequestException(OSError):
    def __init__(self, *args, response=None, request=None):
        super().__init__(*args)
        self.response = response
        self.request = request


class HTTPError(RequestException):
    pass


class ConnectionError(RequestException):
    pass


class SSLError(ConnectionError):
    pass


class Timeout(RequestException):
    pass


class ConnectTimeout(Timeout):
    pass


class ReadTimeout(Timeout):
    pass


class TooManyRedirects(RequestException):
    pass


class InvalidURL(RequestException):
    pass


class ResponseTooLarge(RequestException):
    pass


class JSONDecodeError(RequestException):
    pass


class _Namespace:
    pass


exceptions = _Namespace()
for _n in ('RequestException', 'HTTPError', 'ConnectionError', 'SSLError', 'Timeout', 'ConnectTimeout',
           'ReadTimeout', 'TooManyRedirects', 'InvalidURL', 'ResponseTooLarge', 'JSONDecodeError'):
    setattr(exceptions, _n, globals()[_n])
del _n

_SAFE = b'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~'
_HEX = '0123456789ABCDEF'


def _quote(s):
    if type(s) is not bytes:
        s = str(s).encode()
    out = []
    for b in s:
        if b in _SAFE:
            out.append(chr(b))
        elif b == 32:
            out.append('+')
        else:
            out.append('%' + _HEX[b >> 4] + _HEX[b & 15])
    return ''.join(out)


def _pairs(data):
    if data is None:
        return []
    if hasattr(data, 'items'):
        data = list(data.items())
    out = []
    for k, v in data:
        if v is None:
            continue
        if type(v) is list or type(v) is tuple:
            for x in v:
                out.append((k, x))
        else:
            out.append((k, v))
    return out


def _urlencode(data):
    return '&'.join(_quote(k) + '=' + _quote(v) for k, v in _pairs(data))


def _with_params(url, params):
    if not params:
        return url
    q = params if type(params) is str else _urlencode(params)
    if not q:
        return url
    url, hash_, frag = url.partition('#')
    url = url + ('&' if '?' in url else '?') + q
    return url + hash_ + frag


class CaseInsensitiveDict:
    def __init__(self, data=None, **kwargs):
        self._d = {}
        if data:
            self.update(data)
        if kwargs:
            self.update(kwargs)

    def update(self, data):
        for k, v in (data.items() if hasattr(data, 'items') else data):
            self[k] = v

    def __setitem__(self, key, value):
        self._d[key.lower()] = (key, value)

    def __getitem__(self, key):
        return self._d[key.lower()][1]

    def __delitem__(self, key):
        del self._d[key.lower()]

    def __contains__(self, key):
        return type(key) is str and key.lower() in self._d

    def get(self, key, default=None):
        v = self._d.get(key.lower())
        return default if v is None else v[1]

    def setdefault(self, key, default=None):
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key, *default):
        v = self._d.pop(key.lower(), None)
        if v is None:
            if default:
                return default[0]
            raise KeyError(key)
        return v[1]

    def __iter__(self):
        return iter([k for k, v in self._d.values()])

    def __len__(self):
        return len(self._d)

    def keys(self):
        return [k for k, v in self._d.values()]

    def values(self):
        return [v for k, v in self._d.values()]

    def items(self):
        return list(self._d.values())

    def copy(self):
        return CaseInsensitiveDict(self.items())

    def __eq__(self, other):
        if not hasattr(other, 'items'):
            return False
        return {k: v for k, v in self.items()} == {k.lower(): v for k, v in other.items()} or \
            {k.lower(): v for k, v in self.items()} == {k.lower(): v for k, v in other.items()}

    def __repr__(self):
        return repr({k: v for k, v in self.items()})


def _charset(content_type):
    for part in content_type.split(';')[1:]:
        k, _, v = part.strip().partition('=')
        if k.strip().lower() == 'charset':
            return v.strip().strip('"\'').lower()
    return None


class _Redirect:
    # A response that was followed: its status and URL (the body is gone).
    def __init__(self, status, url):
        self.status_code = status
        self.url = url
        self.headers = CaseInsensitiveDict()
        self.content = b''

    def __repr__(self):
        return '<Response [%d]>' % self.status_code


class Response:
    def __init__(self, r, method):
        self.status_code = r['status']
        self.reason = r['reason']
        self.url = r['url']
        self.content = r['body']
        h = CaseInsensitiveDict()
        for k, v in r['headers']:
            if k in h:
                h[k] = h[k] + ', ' + v
            else:
                h[k] = v
        self.headers = h
        self.history = [_Redirect(status, url) for status, url in r['history']]
        self.encoding = _charset(h.get('content-type', ''))
        self.request = _Namespace()
        self.request.method = method
        self.request.url = self.url

    @property
    def ok(self):
        return self.status_code < 400

    @property
    def is_redirect(self):
        return self.status_code in (301, 302, 303, 307, 308) and 'location' in self.headers

    @property
    def text(self):
        enc = self.encoding or 'utf-8'
        try:
            return self.content.decode(enc)
        except Exception:
            return ''.join(chr(b) for b in self.content)

    def json(self, **kwargs):
        import json
        try:
            return json.loads(self.text)
        except ValueError as e:
            raise JSONDecodeError(str(e), response=self)

    def iter_content(self, chunk_size=1, decode_unicode=False):
        data = self.text if decode_unicode else self.content
        step = chunk_size or len(data) or 1
        for i in range(0, len(data), step):
            yield data[i:i + step]

    def iter_lines(self, chunk_size=512, decode_unicode=False, delimiter=None):
        data = self.text if decode_unicode else self.content
        for line in data.split(delimiter) if delimiter else data.splitlines():
            yield line

    def raise_for_status(self):
        kind = 'Client' if 400 <= self.status_code < 500 else 'Server' if 500 <= self.status_code < 600 else None
        if kind:
            raise HTTPError('%d %s Error: %s for url: %s' % (self.status_code, kind, self.reason, self.url),
                            response=self)

    def close(self):
        pass

    def __bool__(self):
        return self.ok

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __repr__(self):
        return '<Response [%d]>' % self.status_code


def _body(data, json_, headers):
    import json as _json
    if json_ is not None and data is None:
        headers.setdefault('Content-Type', 'application/json')
        return _json.dumps(json_).encode()
    if data is None:
        return None
    if type(data) is bytes or type(data) is bytearray:
        return bytes(data)
    if type(data) is str:
        return data.encode()
    headers.setdefault('Content-Type', 'application/x-www-form-urlencoded')
    return _urlencode(data).encode()


def _timeout(timeout):
    if timeout is None:
        return None
    if type(timeout) is tuple or type(timeout) is list:
        parts = [t for t in timeout if t is not None]
        return float(sum(parts)) if parts else None
    return float(timeout)


def request(method, url, params=None, data=None, headers=None, cookies=None, files=None, auth=None, timeout=None,
            allow_redirects=True, proxies=None, hooks=None, stream=None, verify=None, cert=None, json=None):
    if files:
        raise NotImplementedError('requests in the sandbox does not send files (multipart)')
    if proxies:
        raise PermissionError('requests: proxies are not available in the sandbox')
    if verify is False or cert:
        raise PermissionError('requests: TLS verification cannot be changed in the sandbox')
    if type(url) is bytes:
        url = url.decode()
    if type(url) is not str:
        raise InvalidURL('URL must be str, not ' + type(url).__name__)
    h = CaseInsensitiveDict(headers or {})
    h.setdefault('Accept', '*/*')
    if auth is not None:
        from binascii import b2a_base64
        user, pw = auth
        token = b2a_base64(('%s:%s' % (user, pw)).encode()).decode().strip()
        h['Authorization'] = 'Basic ' + token
    if cookies:
        h['Cookie'] = '; '.join('%s=%s' % (k, v) for k, v in cookies.items())
    method = str(method).upper()
    body = _body(data, json, h)
    full = _with_params(url, params)
    pairs = [[str(k), str(v)] for k, v in h.items() if v is not None]
    r = _request(method, full, pairs, body, _timeout(timeout), bool(allow_redirects))
    return Response(r, method)


def get(url, params=None, **kwargs):
    return request('GET', url, params=params, **kwargs)


def head(url, **kwargs):
    kwargs.setdefault('allow_redirects', False)
    return request('HEAD', url, **kwargs)


def options(url, **kwargs):
    return request('OPTIONS', url, **kwargs)


def post(url, data=None, json=None, **kwargs):
    return request('POST', url, data=data, json=json, **kwargs)


def put(url, data=None, **kwargs):
    return request('PUT', url, data=data, **kwargs)


def patch(url, data=None, **kwargs):
    return request('PATCH', url, data=data, **kwargs)


def delete(url, **kwargs):
    return request('DELETE', url, **kwargs)


class Session:
    def __init__(self):
        self.headers = CaseInsensitiveDict()
        self.params = {}
        self.auth = None

    def request(self, method, url, **kwargs):
        h = self.headers.copy()
        h.update(kwargs.pop('headers', None) or {})
        kwargs['headers'] = h
        if self.auth is not None:
            kwargs.setdefault('auth', self.auth)
        if self.params:
            p = dict(self.params)
            p.update(kwargs.pop('params', None) or {})
            kwargs['params'] = p
        return request(method, url, **kwargs)

    def get(self, url, **kwargs):
        return self.request('GET', url, **kwargs)

    def post(self, url, data=None, json=None, **kwargs):
        return self.request('POST', url, data=data, json=json, **kwargs)

    def put(self, url, data=None, **kwargs):
        return self.request('PUT', url, data=data, **kwargs)

    def patch(self, url, data=None, **kwargs):
        return self.request('PATCH', url, data=data, **kwargs)

    def delete(self, url, **kwargs):
        return self.request('DELETE', url, **kwargs)

    def head(self, url, **kwargs):
        kwargs.setdefault('allow_redirects', False)
        return self.request('HEAD', url, **kwargs)

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def session():
    return Session()


codes = _Namespace()
for _k, _v in (('ok', 200), ('created', 201), ('accepted', 202), ('no_content', 204), ('moved_permanently', 301),
               ('found', 302), ('not_modified', 304), ('bad_request', 400), ('unauthorized', 401),
               ('forbidden', 403), ('not_found', 404), ('conflict', 409), ('too_many_requests', 429),
               ('internal_server_error', 500), ('service_unavailable', 503)):
    setattr(codes, _k, _v)
del _k, _v


def _register_exceptions():
    # `from requests.exceptions import HTTPError` finds this in sys.modules.
    import sys
    sys.modules['requests.exceptions'] = exceptions


_register_exceptions()
del _register_exceptions
