# csv for airlock (reader, writer, DictReader, DictWriter, dialects).
QUOTE_MINIMAL, QUOTE_ALL, QUOTE_NONNUMERIC, QUOTE_NONE = 0, 1, 2, 3
__version__ = '1.0'


class Error(Exception):
    pass


class Dialect:
    delimiter = ','
    quotechar = '"'
    escapechar = None
    doublequote = True
    skipinitialspace = False
    lineterminator = '\r\n'
    quoting = QUOTE_MINIMAL
    strict = False


class excel(Dialect):
    pass


class excel_tab(excel):
    delimiter = '\t'


class unix_dialect(Dialect):
    lineterminator = '\n'
    quoting = QUOTE_ALL


_dialects = {'excel': excel, 'excel-tab': excel_tab, 'unix': unix_dialect}
_limit = [131072]


def register_dialect(name, dialect=None, **kw):
    d = _Params(dialect or excel, kw)
    _dialects[name] = d


def unregister_dialect(name):
    del _dialects[name]


def get_dialect(name):
    return _dialects[name]


def list_dialects():
    return list(_dialects)


def field_size_limit(new_limit=None):
    old = _limit[0]
    if new_limit is not None:
        _limit[0] = new_limit
    return old


class _Params:
    def __init__(self, dialect, kw):
        if isinstance(dialect, str):
            dialect = _dialects[dialect]
        for a in ('delimiter', 'quotechar', 'escapechar', 'doublequote',
                  'skipinitialspace', 'lineterminator', 'quoting', 'strict'):
            setattr(self, a, kw.pop(a) if a in kw else getattr(dialect, a))
        if kw:
            raise TypeError("'%s' is an invalid keyword argument for this function" % list(kw)[0])
        if not isinstance(self.delimiter, str) or len(self.delimiter) != 1:
            raise TypeError('"delimiter" must be a 1-character string')


class _Reader:
    def __init__(self, f, dialect='excel', **kw):
        self._it = iter(f)
        self.dialect = _Params(dialect, kw)
        self.line_num = 0

    def __iter__(self):
        return self

    def __next__(self):
        d = self.dialect
        delim, q, esc = d.delimiter, d.quotechar, d.escapechar
        quoting = d.quoting
        fields = []
        field = []
        state = 0  # 0 start of field, 1 in field, 2 in quoted, 3 quote in quoted
        quoted = False
        got = False
        while True:
            try:
                line = next(self._it)
            except StopIteration:
                if state == 2 or (state == 3 and False):
                    if d.strict:
                        raise Error('unexpected end of data')
                if not got:
                    raise StopIteration
                break
            if not isinstance(line, str):
                raise Error('iterator should return strings, not %s (the file should be opened in text mode)' % type(line).__name__)
            self.line_num += 1
            got = True
            i, n = 0, len(line)
            while i < n:
                c = line[i]
                if state == 0:
                    if c == q and quoting != QUOTE_NONE and q is not None:
                        state, quoted = 2, True
                    elif c == delim:
                        fields.append(self._val('', False))
                    elif c in '\r\n':
                        i = n
                        continue
                    elif c == ' ' and d.skipinitialspace:
                        pass
                    elif c == esc:
                        i += 1
                        if i < n:
                            field.append(line[i])
                        state = 1
                    else:
                        field.append(c)
                        state = 1
                elif state == 1:
                    if c == delim:
                        fields.append(self._val(''.join(field), quoted))
                        field, state, quoted = [], 0, False
                    elif c in '\r\n':
                        i = n
                        continue
                    elif c == esc:
                        i += 1
                        if i < n:
                            field.append(line[i])
                    else:
                        field.append(c)
                elif state == 2:
                    if c == q:
                        state = 3
                    elif c == esc:
                        i += 1
                        if i < n:
                            field.append(line[i])
                    else:
                        field.append(c)
                elif state == 3:
                    if c == q and d.doublequote:
                        field.append(q)
                        state = 2
                    elif c == delim:
                        fields.append(self._val(''.join(field), quoted))
                        field, state, quoted = [], 0, False
                    elif c in '\r\n':
                        i = n
                        continue
                    else:
                        if d.strict:
                            raise Error("'%s' expected after '%s'" % (delim, q))
                        field.append(c)
                        state = 1
                i += 1
            if state == 2:
                continue  # quoted field spans lines
            break
        if state != 0 or fields or field:
            fields.append(self._val(''.join(field), quoted))
        return fields

    def _val(self, s, quoted):
        if self.dialect.quoting == QUOTE_NONNUMERIC and not quoted and s != '':
            return float(s)
        return s


def reader(csvfile, dialect='excel', **kw):
    return _Reader(csvfile, dialect, **kw)


class _Writer:
    def __init__(self, f, dialect='excel', **kw):
        self._f = f
        self.dialect = _Params(dialect, kw)

    def _field(self, v):
        d = self.dialect
        if v is None:
            s = ''
            numeric = False
        elif isinstance(v, float):
            s = repr(v)
            numeric = True
        elif isinstance(v, (int, bool)) and not isinstance(v, bool):
            s = str(v)
            numeric = True
        else:
            s = str(v)
            numeric = isinstance(v, bool)
        q = d.quotechar
        if d.quoting == QUOTE_ALL:
            need = True
        elif d.quoting == QUOTE_NONNUMERIC:
            need = not numeric
        elif d.quoting == QUOTE_NONE:
            need = False
        else:
            need = (s == '' and False) or any(c in s for c in (d.delimiter, q, '\r', '\n')) or \
                (s[:1] == ' ' and False)
        if d.quoting == QUOTE_NONE:
            if d.escapechar:
                for c in (d.escapechar, d.delimiter, q, '\r', '\n'):
                    if c and c in s:
                        s = s.replace(c, d.escapechar + c)
            elif any(c in s for c in (d.delimiter, '\r', '\n')):
                raise Error('need to escape, but no escapechar set')
            return s
        if q and q in s:
            if d.doublequote:
                s = s.replace(q, q + q)
            elif d.escapechar:
                s = s.replace(q, d.escapechar + q)
            else:
                raise Error('need to escape, but no escapechar set')
        return q + s + q if need else s

    def writerow(self, row):
        if isinstance(row, str) or not hasattr(row, '__iter__') and not isinstance(row, (list, tuple)):
            raise Error('iterable expected, not %s' % type(row).__name__)
        fields = [self._field(v) for v in row]
        if len(fields) == 1 and fields[0] == '':
            fields = [self.dialect.quotechar * 2]
        line = self.dialect.delimiter.join(fields) + self.dialect.lineterminator
        r = self._f.write(line)
        return r if r is not None else len(line)

    def writerows(self, rows):
        for r in rows:
            self.writerow(r)


def writer(csvfile, dialect='excel', **kw):
    return _Writer(csvfile, dialect, **kw)


class DictReader:
    def __init__(self, f, fieldnames=None, restkey=None, restval=None, dialect='excel', **kw):
        self._fieldnames = fieldnames
        self.restkey = restkey
        self.restval = restval
        self.reader = reader(f, dialect, **kw)
        self.dialect = dialect
        self.line_num = 0

    @property
    def fieldnames(self):
        if self._fieldnames is None:
            try:
                self._fieldnames = next(self.reader)
            except StopIteration:
                pass
        self.line_num = self.reader.line_num
        return self._fieldnames

    @fieldnames.setter
    def fieldnames(self, value):
        self._fieldnames = value

    def __iter__(self):
        return self

    def __next__(self):
        if self.line_num == 0:
            self.fieldnames
        row = next(self.reader)
        self.line_num = self.reader.line_num
        while row == []:
            row = next(self.reader)
        names = self.fieldnames
        from collections import ordered
        d = ordered()
        for k, v in zip(names, row):
            d[k] = v
        ln, lr = len(names), len(row)
        if ln < lr:
            d[self.restkey] = row[ln:]
        elif ln > lr:
            for k in names[lr:]:
                d[k] = self.restval
        return d


class DictWriter:
    def __init__(self, f, fieldnames, restval='', extrasaction='raise', dialect='excel', **kw):
        self.fieldnames = list(fieldnames)
        self.restval = restval
        if extrasaction.lower() not in ('raise', 'ignore'):
            raise ValueError("extrasaction (%s) must be 'raise' or 'ignore'" % extrasaction)
        self.extrasaction = extrasaction.lower()
        self.writer = writer(f, dialect, **kw)

    def writeheader(self):
        return self.writer.writerow(self.fieldnames)

    def _row(self, d):
        if self.extrasaction == 'raise':
            wrong = [k for k in d if k not in self.fieldnames]
            if wrong:
                raise ValueError('dict contains fields not in fieldnames: ' + ', '.join(repr(x) for x in wrong))
        return [d.get(k, self.restval) for k in self.fieldnames]

    def writerow(self, d):
        return self.writer.writerow(self._row(d))

    def writerows(self, rows):
        for r in rows:
            self.writerow(r)


class Sniffer:
    def sniff(self, sample, delimiters=None):
        cands = delimiters or ',;\t|:'
        best = max(cands, key=lambda c: sample.count(c))

        class D(excel):
            delimiter = best
        return D

    def has_header(self, sample):
        rows = list(reader(sample.splitlines()))
        if len(rows) < 2:
            return False
        def num(s):
            try:
                float(s)
                return True
            except ValueError:
                return False
        return any(not num(h) and num(v) for h, v in zip(rows[0], rows[1]))
