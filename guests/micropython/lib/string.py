# string for airlock: the guest's constants plus Template, capwords, Formatter.
ascii_lowercase = 'abcdefghijklmnopqrstuvwxyz'
ascii_uppercase = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
ascii_letters = ascii_lowercase + ascii_uppercase
digits = '0123456789'
hexdigits = '0123456789abcdefABCDEF'
octdigits = '01234567'
punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'
whitespace = ' \t\n\r\x0b\x0c'
printable = digits + ascii_letters + punctuation + whitespace


def capwords(s, sep=None):
    return (sep or ' ').join(w[:1].upper() + w[1:].lower() for w in s.split(sep))


def translate(s, table):
    import _airlock
    return _airlock._translate(s, table)


class Template:
    delimiter = '$'
    braceidpattern = None

    def __init__(self, template):
        self.template = template

    def _sub(self, mapping, safe):
        t = self.template
        d = self.delimiter
        out = []
        i, n = 0, len(t)
        while i < n:
            j = t.find(d, i)
            if j < 0:
                out.append(t[i:])
                break
            out.append(t[i:j])
            k = j + len(d)
            if t.startswith(d, k):
                out.append(d)
                i = k + len(d)
                continue
            braced = k < n and t[k] == '{'
            s = k + 1 if braced else k
            e = s
            while e < n and (t[e] == '_' or t[e].isalpha() or (e > s and t[e].isdigit())) and ord(t[e]) < 128:
                e += 1
            name = t[s:e]
            if not name or (braced and t[e:e + 1] != '}'):
                if safe:
                    out.append(d)
                    i = k
                    continue
                line = t.count('\n', 0, j) + 1
                col = j - (t.rfind('\n', 0, j) + 1) + 1
                raise ValueError('Invalid placeholder in string: line %d, col %d' % (line, col))
            end = e + 1 if braced else e
            if name in mapping:
                out.append(str(mapping[name]))
            elif safe:
                out.append(t[j:end])
            else:
                raise KeyError(name)
            i = end
        return ''.join(out)

    def substitute(self, mapping=None, **kws):
        m = dict(mapping or {})
        m.update(kws)
        return self._sub(m, False)

    def safe_substitute(self, mapping=None, **kws):
        m = dict(mapping or {})
        m.update(kws)
        return self._sub(m, True)

    def get_identifiers(self):
        ids = []
        class R(dict):
            def __contains__(s, k):
                if k not in ids:
                    ids.append(k)
                return False
        self._sub(R(), True)
        return ids

    def is_valid(self):
        try:
            self._sub({}, True)
            return True
        except ValueError:
            return False


class Formatter:
    def format(self, format_string, *args, **kwargs):
        import _airlock
        return _airlock.str_format(format_string, *args, **kwargs)

    def vformat(self, format_string, args, kwargs):
        return self.format(format_string, *args, **kwargs)
