from urllib.parse import urlparse, urlencode, parse_qs, quote, unquote, urljoin

u = urlparse("https://example.com:8080/path/to?q=1&r=two#frag")
print(u.scheme, u.netloc, u.path, u.query, u.fragment, u.port)
print(parse_qs(u.query))
print(urlencode({"a": 1, "b": "x y"}))
print(quote("a b/c"), unquote("a%20b"))
print(urljoin("https://x.com/a/b", "c"))
