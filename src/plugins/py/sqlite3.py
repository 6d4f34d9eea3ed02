# sqlite3 - the DB-API 2.0 subset airlock offers over granted databases.
#
# Installed into the sqlite3 module when the host grants a database
# (--allow-sqlite PATH[:rw]), after the host functions (_connect, _execute,
# ...) are bound; sqlite_version is prepended by the host. Everything that
# matters for safety happens on the host (src/plugins/sqlite.c): this file
# only shapes the calls like CPython's sqlite3.

apilevel = '2.0'
threadsafety = 1
paramstyle = 'qmark'
PARSE_DECLTYPES = 1
PARSE_COLNAMES = 2
sqlite_version_info = tuple(int(x) for x in sqlite_version.split('.'))
version_info = sqlite_version_info


class Warning(Exception):
    pass


class Error(Exception):
    pass


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class DataError(DatabaseError):
    pass


class OperationalError(DatabaseError):
    pass


class IntegrityError(DatabaseError):
    pass


class InternalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


_BATCH = 256


def _params(p):
    t = type(p)
    if p is None:
        return []
    if t is list or t is dict:
        return p
    if t is tuple:
        return list(p)
    if isinstance(p, dict):
        return dict(p)
    if hasattr(p, 'keys') and hasattr(p, '__getitem__'):
        return {k: p[k] for k in p.keys()}
    if t is str or t is bytes:
        raise ProgrammingError('parameters are of unsupported type')
    try:
        return list(p)
    except TypeError:
        raise ProgrammingError('parameters are of unsupported type')


def _sql(sql):
    if type(sql) is not str:
        raise TypeError('SQL must be str, not ' + type(sql).__name__)
    return sql


class Row:
    def __init__(self, cursor, values):
        d = cursor.description or ()
        self._k = tuple(c[0] for c in d)
        self._v = tuple(values)

    def keys(self):
        return list(self._k)

    def __getitem__(self, i):
        if type(i) is str:
            low = i.lower()
            for n in range(len(self._k)):
                if self._k[n].lower() == low:
                    return self._v[n]
            raise IndexError('No item with that key')
        return self._v[i]

    def __len__(self):
        return len(self._v)

    def __iter__(self):
        return iter(self._v)

    def __eq__(self, other):
        return isinstance(other, Row) and self._k == other._k and self._v == other._v

    def __hash__(self):
        return hash(self._k) ^ hash(self._v)

    def __repr__(self):
        return '<sqlite3.Row ' + repr(self._v) + '>'


class Cursor:
    def __init__(self, connection):
        self.connection = connection
        self.arraysize = 1
        self.description = None
        self.rowcount = -1
        self.lastrowid = None
        self.row_factory = connection.row_factory
        self._rows = []
        self._pos = 0
        self._sid = 0
        self._closed = False

    def _check(self):
        if self._closed:
            raise ProgrammingError('Cannot operate on a closed cursor.')
        self.connection._check()

    def _drop(self):
        if self._sid:
            sid, self._sid = self._sid, 0
            _finalize(self.connection._id, sid)
        self._rows = []
        self._pos = 0

    def _implicit(self):
        return self.connection.isolation_level is not None

    def execute(self, sql, parameters=()):
        self._check()
        sql = _sql(sql)
        self._drop()
        r = _execute(self.connection._id, sql, _params(parameters), _BATCH, self._implicit())
        cols = r['cols']
        self.description = None if cols is None else tuple((c, None, None, None, None, None, None) for c in cols)
        self._rows = r['rows']
        self._sid = r['more']
        self.rowcount = r['rowcount']
        self.lastrowid = r['lastrowid']
        self.connection._intx = r['intx']
        return self

    def executemany(self, sql, seq_of_parameters):
        self._check()
        sql = _sql(sql)
        self._drop()
        sets = [_params(p) for p in seq_of_parameters]
        r = _executemany(self.connection._id, sql, sets, self._implicit())
        self.description = None
        self.rowcount = r['rowcount']
        self.lastrowid = r['lastrowid']
        self.connection._intx = r['intx']
        return self

    def executescript(self, sql_script):
        self._check()
        self._drop()
        _script(self.connection._id, _sql(sql_script))
        self.description = None
        self.connection._intx = False
        return self

    def _next(self):
        while self._pos >= len(self._rows):
            if not self._sid:
                return None
            r = _fetch(self.connection._id, self._sid, _BATCH)
            self._rows = r['rows']
            self._pos = 0
            self._sid = r['more']
        v = self._rows[self._pos]
        self._rows[self._pos] = None
        self._pos += 1
        f = self.row_factory
        return tuple(v) if f is None else f(self, tuple(v))

    def fetchone(self):
        self._check()
        return self._next()

    def fetchmany(self, size=None):
        self._check()
        n = self.arraysize if size is None else size
        out = []
        while len(out) < n:
            r = self._next()
            if r is None:
                break
            out.append(r)
        return out

    def fetchall(self):
        self._check()
        out = []
        while True:
            r = self._next()
            if r is None:
                return out
            out.append(r)

    def __iter__(self):
        return self

    def __next__(self):
        r = self.fetchone()
        if r is None:
            raise StopIteration
        return r

    def close(self):
        if not self._closed and self.connection._id is not None:
            self._drop()
        self._closed = True

    def setinputsizes(self, sizes):
        pass

    def setoutputsize(self, size, column=None):
        pass


class Connection:
    def __init__(self, database, timeout=5.0, isolation_level=''):
        if isolation_level is not None and isolation_level.upper() not in ('', 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE'):
            raise ValueError('isolation_level must be None, "", DEFERRED, IMMEDIATE or EXCLUSIVE')
        self._id = None
        r = _connect(database, float(timeout))
        self._id = r['id']
        self.isolation_level = isolation_level
        self.row_factory = None
        self.text_factory = str
        self._intx = False

    def _check(self):
        if self._id is None:
            raise ProgrammingError('Cannot operate on a closed database.')

    def cursor(self, factory=None):
        self._check()
        return (factory or Cursor)(self)

    def execute(self, sql, parameters=()):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, seq_of_parameters):
        return self.cursor().executemany(sql, seq_of_parameters)

    def executescript(self, sql_script):
        return self.cursor().executescript(sql_script)

    def commit(self):
        self._check()
        _commit(self._id)
        self._intx = False

    def rollback(self):
        self._check()
        _rollback(self._id)
        self._intx = False

    def close(self):
        if self._id is not None:
            cid, self._id = self._id, None
            _close(cid)

    @property
    def in_transaction(self):
        self._check()
        return _state(self._id)['intx']

    @property
    def total_changes(self):
        self._check()
        return _state(self._id)['total_changes']

    def __enter__(self):
        self._check()
        return self

    def __exit__(self, exc_type, exc, tb):
        # As CPython: commit on success, roll back on an exception; the
        # connection stays open.
        if exc_type is None:
            self.commit()
        else:
            self.rollback()
        return False

    def create_function(self, *args, **kwargs):
        raise NotSupportedError('user-defined SQL functions are not available in the sandbox')

    def enable_load_extension(self, enabled):
        raise NotSupportedError('extensions cannot be loaded in the sandbox')

    def load_extension(self, *args, **kwargs):
        raise NotSupportedError('extensions cannot be loaded in the sandbox')

    def set_authorizer(self, *args, **kwargs):
        raise NotSupportedError('the sandbox sets its own authorizer')


def connect(database, timeout=5.0, detect_types=0, isolation_level='', check_same_thread=True, factory=None,
            cached_statements=128, uri=False):
    if uri:
        raise NotSupportedError('uri=True is not supported in the sandbox: pass the granted path')
    if hasattr(database, '__fspath__'):
        database = database.__fspath__()
    if type(database) is bytes:
        database = database.decode()
    if type(database) is not str:
        raise TypeError('database must be str, bytes or a path, not ' + type(database).__name__)
    return (factory or Connection)(database, timeout, isolation_level)


def complete_statement(statement):
    # A rough check, as the guest cannot call sqlite3_complete.
    return statement.rstrip().endswith(';')
