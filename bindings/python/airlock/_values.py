"""Values across the host-function boundary: airlock_value trees <-> Python.

Guest arguments arrive as None, bool, int (64-bit), float, str, bytes, list
(guest lists and tuples) and dict with str keys, nested. A host function may
return the same kinds (tuples become lists); anything else is a TypeError
that the guest sees as a RuntimeError.
"""

from __future__ import annotations

import ctypes

from . import _lib

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
MAX_DEPTH = 100


def to_python(lib, v, depth=0):
    """Convert a borrowed airlock_value pointer into a Python value."""
    if depth > MAX_DEPTH:
        raise ValueError("value nested too deeply")
    kind = lib.value_kind(v)
    if kind == _lib.K_NONE:
        return None
    if kind == _lib.K_BOOL:
        return bool(lib.value_bool(v))
    if kind == _lib.K_INT:
        return int(lib.value_int(v))
    if kind == _lib.K_FLOAT:
        return float(lib.value_float(v))
    if kind in (_lib.K_STR, _lib.K_BYTES):
        n = ctypes.c_size_t(0)
        getter = lib.value_str if kind == _lib.K_STR else lib.value_bytes
        ptr = getter(v, ctypes.byref(n))
        data = ctypes.string_at(ptr, n.value) if ptr and n.value else b""
        return data.decode("utf-8", "surrogateescape") if kind == _lib.K_STR else data
    if kind == _lib.K_LIST:
        return [to_python(lib, lib.value_item(v, i), depth + 1) for i in range(lib.value_len(v))]
    if kind == _lib.K_DICT:
        out = {}
        for i in range(lib.value_len(v)):
            key = lib.value_key(v, i).decode("utf-8", "surrogateescape")
            out[key] = to_python(lib, lib.value_item(v, i), depth + 1)
        return out
    raise TypeError("unknown value kind %d" % kind)


def from_python(lib, obj, depth=0, path=None, what="host function result"):
    """Build a new airlock_value (owned by the caller) from a Python value.

    Raises TypeError / OverflowError / ValueError for values that cannot
    cross; nothing is leaked then. ``what`` names the value in messages.
    """
    if depth > MAX_DEPTH:
        raise ValueError("%s nested too deeply" % what)
    if obj is None:
        return lib.value_new_none()
    if obj is True or obj is False:
        return lib.value_new_bool(1 if obj else 0)
    if isinstance(obj, int):
        if not INT64_MIN <= obj <= INT64_MAX:
            raise OverflowError("%s %d does not fit in 64 bits" % (what, obj))
        return lib.value_new_int(int(obj))
    if isinstance(obj, float):
        return lib.value_new_float(obj)
    if isinstance(obj, str):
        data = obj.encode("utf-8")
        return lib.value_new_strn(data, len(data))
    if isinstance(obj, (bytes, bytearray, memoryview)):
        data = bytes(obj)
        return lib.value_new_bytes(data, len(data))
    if isinstance(obj, (list, tuple, dict)):
        path = path if path is not None else set()
        if id(obj) in path:
            raise ValueError("%s contains a reference cycle" % what)
        path.add(id(obj))
        try:
            if isinstance(obj, dict):
                for key in obj:
                    if not isinstance(key, str):
                        raise TypeError("dict keys must be str, not %s" % type(key).__name__)
                    if "\0" in key:
                        raise ValueError("dict keys cannot contain NUL")
                container = lib.value_new_dict()
                items = [(k.encode("utf-8"), v) for k, v in obj.items()]
            else:
                container = lib.value_new_list()
                items = [(None, v) for v in obj]
            try:
                for key, value in items:
                    child = from_python(lib, value, depth + 1, path, what)
                    if key is None:
                        lib.list_append(container, child)
                    else:
                        lib.dict_set(container, key, child)
            except BaseException:
                lib.value_free(container)
                raise
            return container
        finally:
            path.discard(id(obj))
    raise TypeError(
        "%s is %s, which is not JSON-compatible "
        "(None, bool, int, float, str, bytes, list, tuple, dict)" % (what, type(obj).__name__)
    )
