"""guest=: choosing the interpreter, and what each guest offers."""

import pytest

import airlock
from airlock import GuestError, MisuseError, NotSupportedError, Session, SessionFileError, run


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
def test_cpython_refuses_what_it_cannot_offer_yet():
    info = airlock.guest_info("cpython")
    assert not info["compat"] and not info["host_functions"]
    with pytest.raises(NotSupportedError, match="host functions"):
        run("1", guest="cpython", host_functions={"f": len})
    with pytest.raises(MisuseError, match="file grants"):
        run("1", guest="cpython", readonly_dir=".")
