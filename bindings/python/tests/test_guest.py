"""guest=: choosing the interpreter, and what each guest offers."""

import os

import pytest

import airlock
from airlock import GuestError, MisuseError, Session, SessionFileError, run


def _has_cpython():
    try:
        airlock.guest_info("cpython")
        return True
    except MisuseError:
        return False


needs_cpython = pytest.mark.skipif(not _has_cpython(), reason="this libairlock was built without the CPython guest")


def test_default_guest_is_micropython():
    info = airlock.guest_info()
    assert info["name"] == "micropython"
    assert info["version"] == airlock.guest_version()
    assert info["compat"] and info["sessions"]
    assert run("import sys; print(sys.implementation.name)").stdout == "micropython\n"
    assert run("1", guest="micropython").result == "1"


def test_unknown_guest_is_refused():
    with pytest.raises(MisuseError, match="pypy"):
        run("1", guest="pypy")
    with pytest.raises(MisuseError, match="pypy"):
        airlock.guest_info("pypy")


@needs_cpython
def test_cpython_runs_cpython():
    assert airlock.guest_version("cpython") == "3.14.2"
    r = run("import sys; print(sys.implementation.name); 6 * 7", guest="cpython")
    assert r.stdout == "cpython\n"
    assert r.result == "42"
    with pytest.raises(GuestError) as e:
        run("def f():\n    return 1 / 0\nf()", guest="cpython")
    assert e.value.type == "ZeroDivisionError"
    assert 'File "<stdin>", line 2, in f' in e.value.traceback
    with Session(guest="cpython") as s:
        s.run("xs = {'b': 1, 'a': 2}")
        assert s.run("list(xs)").result == "['b', 'a']"  # insertion order: CPython's dict


@needs_cpython
def test_cpython_sessions_clone_save_load(tmp_path):
    path = tmp_path / "s.bin"
    with Session(guest="cpython") as s:
        s.run("import json\nclass K:\n    v = 41\nk = K()")
        with s.clone() as c:
            c.run("K.v = 0")
            assert c.run("k.v").result == "0"
        assert s.run("k.v").result == "41"
        s.save(path)
    with Session.load(path, guest="cpython") as t:
        assert t.run("json.dumps(k.v + 1)").result == "'42'"
    with pytest.raises(SessionFileError, match="saved by the cpython guest"):
        Session.load(path)


@needs_cpython
def test_cpython_host_functions_files_and_values(tmp_path):
    info = airlock.guest_info("cpython")
    assert not info["compat"] and info["host_functions"] and info["file_grants"] and info["values"]
    assert run("print(add(2, 3))", guest="cpython", host_functions={"add": lambda a, b: a + b}).stdout == "5\n"
    (tmp_path / "f.txt").write_text("granted")
    r = run("print(open('/input/f.txt').read())", guest="cpython", readonly_dir=str(tmp_path))
    assert r.stdout == "granted\n"
    with Session(guest="cpython") as s:
        s.set_value("data", {"a": [1, 2.5, None, b"x"], "s": "h\xe9"})
        assert s.run("data['a'][1] * 2").result == "5.0"
        assert s.get_value("data") == {"a": [1, 2.5, None, b"x"], "s": "h\xe9"}
        # larger than the driver's answer channel (5 MiB): refused, and the session goes on
        s.run("big = 'x' * (8 << 20)")
        with pytest.raises(airlock.ValueCrossingError, match="too large"):
            s.get_value("big")
        assert s.run("len(big)").result == str(8 << 20)


@needs_cpython
def test_cpython_deep_c_recursion_on_a_small_thread():
    # The guest runs on the runtime's own native stack, not the calling
    # thread's: recursion through C as deep as CPython allows is a clean
    # RecursionError on a 256 KiB thread, and a host function called from
    # the guest (on that stack) still works afterwards.
    import threading

    code = ("import sys\nsys.setrecursionlimit(10**6)\nx = []; y = []\n"
            "for i in range(10**6): x = [x]; y = [y]\nx == y")
    seen = {}

    def work():
        try:
            run(code, guest="cpython")
        except GuestError as e:
            seen["type"] = e.type
        except airlock.AirlockError as e:  # the stack trap (sanitizer builds)
            seen["type"] = type(e).__name__
        seen["after"] = run("print(add(40, 2))", guest="cpython", host_functions={"add": lambda a, b: a + b}).stdout

    old = threading.stack_size(256 << 10)
    try:
        t = threading.Thread(target=work)
        t.start()
        t.join()
    finally:
        threading.stack_size(old)
    # sanitizer builds keep the guest on the caller's stack (runtime/trap.c),
    # where the stack trap ends the call instead
    sanitized = "libasan" in os.environ.get("LD_PRELOAD", "")
    assert seen["after"] == "42\n"
    assert seen.get("type") == "RecursionError" or (sanitized and "type" in seen)
