# airlock start-up: executed once before the snapshot every sandbox is copied
# from. Keep it lean: everything heavy lives in lazily imported modules.
import sys
import builtins

# Our /lib modules extend or replace frozen ones (collections, functools, ...),
# so /lib must come before .frozen. '' stays first, as in CPython.
sys.path[:] = ['', '/lib', '.frozen']


def _sleep(seconds):
    # The one place where the sandbox waits. airlock rebinds this to a host
    # call that really sleeps (and ends at the sandbox deadline).
    import time
    if seconds > 0:
        time.sleep_ms(int(seconds * 1000))


import _airlock
builtins._airlock = _airlock
builtins.format = _airlock.format
builtins.vars = _airlock.vars
builtins.sorted = _airlock.sorted


def _patch():
    import time
    _ticks_us = time.ticks_us
    _ticks_diff = time.ticks_diff
    _t0 = [_ticks_us(), 0]

    def perf_counter():
        # ticks wrap around; accumulate differences to stay monotonic
        now = _ticks_us()
        _t0[1] += _ticks_diff(now, _t0[0])
        _t0[0] = now
        return _t0[1] / 1000000.0

    time.perf_counter = perf_counter
    time.monotonic = perf_counter
    time.process_time = perf_counter
    time.perf_counter_ns = lambda: int(perf_counter() * 1e9)
    time.monotonic_ns = time.perf_counter_ns
    time.sleep = lambda seconds: _sleep(seconds)

    import os
    p = os.path

    def splitext(path):
        i = path.rfind('.')
        j = max(path.rfind('/'), 0)
        if i <= j or path[j + (1 if path[j:j + 1] == '/' else 0):i].strip('.') == '':
            return path, ''
        return path[:i], path[i:]
    if not hasattr(p, 'splitext'):
        p.splitext = splitext
    if not hasattr(p, 'getsize'):
        p.getsize = lambda f: os.stat(f)[6]
    if not hasattr(p, 'normpath'):
        def normpath(path):
            absolute = path.startswith('/')
            out = []
            for part in path.split('/'):
                if part in ('', '.'):
                    continue
                if part == '..' and out and out[-1] != '..':
                    out.pop()
                elif part == '..' and absolute:
                    continue
                else:
                    out.append(part)
            s = '/'.join(out)
            return ('/' + s) if absolute else (s or '.')
        p.normpath = normpath
    if not hasattr(p, 'expanduser'):
        p.expanduser = lambda path: path
    if not hasattr(os, 'getenv'):
        os.getenv = lambda name, default=None: default
    if not hasattr(os, 'environ'):
        os.environ = {}
    if not hasattr(os, 'linesep'):
        os.linesep = '\n'
    if not hasattr(os, 'makedirs'):
        def makedirs(name, mode=0o777, exist_ok=False):
            cur = ''
            for part in name.split('/'):
                if not part:
                    cur = '/' if not cur else cur
                    continue
                cur = cur + ('' if cur.endswith('/') or not cur else '/') + part
                try:
                    os.mkdir(cur)
                except OSError:
                    if cur == name.rstrip('/') and not exist_ok:
                        raise
        os.makedirs = makedirs
    if not hasattr(os, 'urandom'):
        os.urandom = _urandom()

    builtins.round = _airlock.round
    builtins.open = _airlock.make_open(builtins.open)
    # math is a built-in module that /lib cannot shadow: register ours
    import _airlock_math
    sys.modules['math'] = _airlock_math

    try:
        TimeoutError
    except NameError:
        class TimeoutError(OSError):
            pass
        builtins.TimeoutError = TimeoutError
    for name in ('ConnectionError', 'FileNotFoundError', 'FileExistsError', 'PermissionError',
                 'IsADirectoryError', 'NotADirectoryError', 'BrokenPipeError', 'InterruptedError'):
        try:
            getattr(builtins, name)
        except AttributeError:
            setattr(builtins, name, type(name, (OSError,), {}))
    # MicroPython raises RuntimeError('maximum recursion depth exceeded')
    # where CPython raises RecursionError, a subclass of RuntimeError: the
    # alias lets `except RecursionError` catch it.
    if not hasattr(builtins, 'RecursionError'):
        builtins.RecursionError = RuntimeError
    if not hasattr(builtins, 'ascii'):
        builtins.ascii = lambda o: _airlock._ascii(o)


def _urandom():
    # The bridge hands out the sandbox's random source (32 bits a call) and
    # json's strict scanner only now, while this module runs
    # (src/guests/micropython/js.c). json.py takes the scanner and its type check from _airlock.
    import js
    draw = js._airlock_entropy
    _airlock.json_scan = js._airlock_json
    _airlock.json_plain = js._airlock_json_plain
    index = _airlock._index

    def urandom(size):
        size = index(size)
        if size < 0:
            raise ValueError('negative argument not allowed')
        out = bytearray()
        while len(out) < size:
            out.extend(int(draw()).to_bytes(4, 'little'))
        return bytes(out[:size])
    return urandom


import builtins
_patch()
del _patch, _urandom, builtins
