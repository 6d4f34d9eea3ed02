"""Finding libairlock and declaring its C functions for ctypes.

Search order (the first that loads wins):

1. ``AIRLOCK_LIBRARY``: a path to the shared library. When it is set and
   cannot be loaded, that is an error; nothing else is tried.
2. The ``libairlock.so.0`` bundled inside this package (the wheel that
   ``make wheel`` builds carries one, matching this binding).
3. An installed ``libairlock.so.0``: the dynamic loader's own search
   (``LD_LIBRARY_PATH``, the ld.so cache), then ``lib/`` beside the prefix
   this package is installed under, ``/usr/local/lib`` and ``/usr/lib``.
4. The repository's ``build/libairlock.so.0`` (when this package is used
   from a source checkout).
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from pathlib import Path

SONAME = "libairlock.so.0"

# Result codes (airlock.h).
OK = 0
ERROR = 1
LIMIT = 2
TRAP = 3
MISUSE = 4
NOMEM = 5
EXIT = 6
IOERR = 7
CORRUPT = 8
DENIED = 9

# airlock_limit_kind
LIMIT_NAMES = {
    0: None,
    1: "fuel",
    2: "timeout",
    3: "memory",
    4: "output",
    5: "interrupt",
    6: "stack",
}

# airlock_kind (airlock_plugin.h)
K_NONE, K_BOOL, K_INT, K_FLOAT, K_STR, K_BYTES, K_LIST, K_DICT = range(8)

MOUNT_READ = 0
MOUNT_WRITE = 1


class _Sized(ctypes.Structure):
    """A versioned struct of airlock.h: its first field is its own size."""

    def __init__(self, **kw):
        super().__init__(size=ctypes.sizeof(self), **kw)


class Limits(_Sized):
    _fields_ = [
        ("size", ctypes.c_uint32),
        ("memory_bytes", ctypes.c_uint64),
        ("fuel", ctypes.c_uint64),
        ("timeout_seconds", ctypes.c_double),
        ("max_output_bytes", ctypes.c_uint64),
        ("output_overflow_stops", ctypes.c_int),
    ]


class Stats(_Sized):
    _fields_ = [
        ("size", ctypes.c_uint32),
        ("fuel_used", ctypes.c_uint64),
        ("wall_ms", ctypes.c_double),
        ("memory_bytes", ctypes.c_uint64),
        ("stdout_bytes", ctypes.c_uint64),
        ("stderr_bytes", ctypes.c_uint64),
        ("stdout_truncated", ctypes.c_int),
        ("stderr_truncated", ctypes.c_int),
        ("hard_stop", ctypes.c_int),
        ("gc_collections", ctypes.c_uint64),
    ]


# void (*airlock_output_fn)(void *userdata, int stream, const char *data, size_t len)
OUTPUT_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char), ctypes.c_size_t)


class ExecOptions(_Sized):
    _fields_ = [
        ("size", ctypes.c_uint32),
        ("filename", ctypes.c_char_p),
        ("limits", ctypes.c_void_p),
        ("on_output", OUTPUT_FN),
        ("output_userdata", ctypes.c_void_p),
    ]


class GuestInfo(_Sized):
    _fields_ = [
        ("size", ctypes.c_uint32),
        ("name", ctypes.c_char_p),
        ("title", ctypes.c_char_p),
        ("version", ctypes.c_char_p),
        ("sha256", ctypes.c_char_p),
        ("compat", ctypes.c_int),
        ("host_functions", ctypes.c_int),
        ("file_grants", ctypes.c_int),
        ("sessions", ctypes.c_int),
        ("values", ctypes.c_int),
    ]


class CallLimits(ctypes.Structure):
    _fields_ = [
        ("max_depth", ctypes.c_uint32),
        ("max_arg_bytes", ctypes.c_uint64),
        ("max_result_bytes", ctypes.c_uint64),
        ("max_items", ctypes.c_uint64),
    ]


P = ctypes.c_void_p
PP = ctypes.POINTER(ctypes.c_void_p)
SIZE_P = ctypes.POINTER(ctypes.c_size_t)
STR = ctypes.c_char_p
INT = ctypes.c_int

# int (*airlock_host_fn)(airlock_call *call)
HOST_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)

# name: (restype, argtypes). Every one of these must exist.
_CORE = {
    "airlock_runtime_new": (INT, [PP]),
    "airlock_runtime_free": (None, [P]),
    "airlock_runtime_errmsg": (STR, [P]),
    "airlock_runtime_set_limits": (INT, [P, ctypes.POINTER(Limits)]),
    "airlock_runtime_mount": (INT, [P, STR, STR, INT]),
    "airlock_runtime_scratch": (INT, [P, STR, ctypes.c_uint64]),
    "airlock_guest_version": (STR, []),
    "airlock_guest_sha256": (STR, []),
    "airlock_sandbox_new": (INT, [P, PP]),
    "airlock_sandbox_free": (None, [P]),
    "airlock_sandbox_exec": (INT, [P, ctypes.c_char_p, ctypes.c_size_t]),
    "airlock_sandbox_exec_ex": (INT, [P, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ExecOptions)]),
    "airlock_sandbox_set_limits": (INT, [P, ctypes.POINTER(Limits)]),
    "airlock_sandbox_clone": (INT, [P, PP]),
    "airlock_sandbox_save": (INT, [P, STR]),
    "airlock_sandbox_load": (INT, [P, STR, PP]),
    "airlock_sandbox_load_buffer": (INT, [P, ctypes.c_char_p, ctypes.c_size_t, PP]),
    "airlock_sandbox_stdout": (P, [P, SIZE_P]),
    "airlock_sandbox_stderr": (P, [P, SIZE_P]),
    "airlock_sandbox_result": (P, [P, SIZE_P]),
    "airlock_sandbox_error_type": (STR, [P]),
    "airlock_sandbox_error_message": (STR, [P]),
    "airlock_sandbox_error_traceback": (STR, [P]),
    "airlock_sandbox_exit_code": (INT, [P]),
    "airlock_sandbox_limit_hit": (INT, [P]),
    "airlock_sandbox_stats": (INT, [P, ctypes.POINTER(Stats)]),
    "airlock_sandbox_errmsg": (STR, [P]),
    "airlock_sandbox_interrupt": (None, [P]),
}

# Host functions (airlock.h + airlock_plugin.h). Optional: a library built
# before they existed still runs code, it just cannot offer host functions.
_HOST = {
    "airlock_runtime_register_function": (INT, [P, STR, STR, HOST_FN, P]),
    "airlock_runtime_set_call_limits": (INT, [P, ctypes.POINTER(CallLimits)]),
    "airlock_value_new_none": (P, []),
    "airlock_value_new_bool": (P, [INT]),
    "airlock_value_new_int": (P, [ctypes.c_int64]),
    "airlock_value_new_float": (P, [ctypes.c_double]),
    "airlock_value_new_strn": (P, [ctypes.c_char_p, ctypes.c_size_t]),
    "airlock_value_new_bytes": (P, [ctypes.c_char_p, ctypes.c_size_t]),
    "airlock_value_new_list": (P, []),
    "airlock_value_new_dict": (P, []),
    "airlock_list_append": (INT, [P, P]),
    "airlock_dict_set": (INT, [P, STR, P]),
    "airlock_value_free": (None, [P]),
    "airlock_value_kind": (INT, [P]),
    "airlock_value_bool": (INT, [P]),
    "airlock_value_int": (ctypes.c_int64, [P]),
    "airlock_value_float": (ctypes.c_double, [P]),
    "airlock_value_str": (P, [P, SIZE_P]),
    "airlock_value_bytes": (P, [P, SIZE_P]),
    "airlock_value_len": (ctypes.c_size_t, [P]),
    "airlock_value_item": (P, [P, ctypes.c_size_t]),
    "airlock_value_key": (STR, [P, ctypes.c_size_t]),
    "airlock_call_argc": (ctypes.c_size_t, [P]),
    "airlock_call_arg": (P, [P, ctypes.c_size_t]),
    "airlock_call_kwargc": (ctypes.c_size_t, [P]),
    "airlock_call_kwname": (STR, [P, ctypes.c_size_t]),
    "airlock_call_kwarg": (P, [P, STR]),
    "airlock_call_return": (INT, [P, P]),
    # variadic: (call, exc_type, fmt, ...); always called with fmt "%s"
    "airlock_call_raise": (INT, [P, STR, STR, STR]),
}

# Choosing the guest (airlock.h). Optional: a library from before it has
# MicroPython only.
_GUESTS = {
    "airlock_runtime_set_guest": (INT, [P, STR]),
    "airlock_guest_info_of": (INT, [STR, ctypes.POINTER(GuestInfo)]),
}

# Structured values (airlock.h), over the value API above. Optional too.
_VALUES = {
    "airlock_sandbox_set_value": (INT, [P, STR, P]),
    "airlock_sandbox_get_value": (INT, [P, STR, ctypes.POINTER(P)]),
    "airlock_sandbox_result_value": (INT, [P, ctypes.POINTER(P)]),
}


class LibraryNotFoundError(RuntimeError):
    """Placeholder replaced by airlock.LibraryNotFoundError at import."""


class _Loaded:
    def __init__(self, cdll, path):
        self.cdll = cdll
        self.path = path
        self.has_host_functions = all(hasattr(cdll, name) for name in _HOST)
        self.has_values = self.has_host_functions and all(hasattr(cdll, name) for name in _VALUES)
        self.has_guests = all(hasattr(cdll, name) for name in _GUESTS)
        tables = (_CORE, _HOST, _VALUES) if self.has_values else (_CORE, _HOST) if self.has_host_functions else (_CORE,)
        for table in tables + ((_GUESTS,) if self.has_guests else ()):
            for name, (restype, argtypes) in table.items():
                fn = getattr(cdll, name)
                fn.restype = restype
                fn.argtypes = argtypes

    def __getattr__(self, name):
        # airlock_sandbox_exec -> lib.sandbox_exec, etc.
        return getattr(self.cdll, "airlock_" + name)


_loaded = None
_load_lock = threading.Lock()
# The exception class to raise; airlock/__init__.py installs its own.
error_class = LibraryNotFoundError


def _candidates():
    """(description, path-or-soname) pairs in search order, after the env var."""
    here = Path(__file__).resolve().parent
    out = [("bundled with this package", str(here / SONAME)), ("installed (dynamic loader search)", SONAME)]
    seen = set()
    # <prefix>/lib/python3/dist-packages/airlock -> <prefix>/lib
    prefixes = [p for p in here.parents if p.name == "lib"]
    prefixes += [Path(sys.prefix) / "lib", Path("/usr/local/lib"), Path("/usr/lib")]
    for libdir in prefixes:
        path = libdir / SONAME
        if str(path) not in seen:
            seen.add(str(path))
            out.append(("installed", str(path)))
    repo = here.parents[2] if len(here.parents) > 2 else here
    out.append(("source checkout", str(repo / "build" / SONAME)))
    return out


class _DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def _real_path(cdll, fallback):
    """The file the dynamic loader actually opened (dladdr), else fallback."""
    try:
        dladdr = ctypes.CDLL(None).dladdr
        dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)]
        info = _DlInfo()
        addr = ctypes.cast(cdll.airlock_runtime_new, ctypes.c_void_p)
        if dladdr(addr, ctypes.byref(info)) and info.dli_fname:
            return os.path.realpath(os.fsdecode(info.dli_fname))
    except (AttributeError, OSError):
        pass
    return fallback


def _check_symbols(cdll):
    missing = [name for name in _CORE if not hasattr(cdll, name)]
    if missing:
        raise OSError("not libairlock (missing %s)" % ", ".join(missing[:3]))


def load():
    """The loaded library (loading it on first use)."""
    global _loaded
    if _loaded is not None:
        return _loaded
    with _load_lock:
        if _loaded is not None:
            return _loaded
        env = os.environ.get("AIRLOCK_LIBRARY")
        if env:
            try:
                cdll = ctypes.CDLL(env)
                _check_symbols(cdll)
            except OSError as e:
                raise error_class(
                    "cannot load libairlock from AIRLOCK_LIBRARY=%s: %s" % (env, e)
                ) from None
            _loaded = _Loaded(cdll, env)
            return _loaded
        tried = []
        for desc, where in _candidates():
            if os.sep in where and not os.path.exists(where):
                tried.append("%s: %s does not exist" % (desc, where))
                continue
            try:
                cdll = ctypes.CDLL(where)
                _check_symbols(cdll)
            except OSError as e:
                tried.append("%s: %s" % (desc, e))
                continue
            _loaded = _Loaded(cdll, _real_path(cdll, where))
            return _loaded
        raise error_class(
            "cannot find libairlock (%s). Install it (make install), build it "
            "in the repository (make), or set AIRLOCK_LIBRARY to the path of "
            "libairlock.so.0. Tried:\n  %s" % (SONAME, "\n  ".join(tried))
        )
