"""Finding libairlock: AIRLOCK_LIBRARY, clear errors."""

import os
import subprocess
import sys

import airlock

BINDING = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _python(code, env):
    full = dict(os.environ, PYTHONPATH=BINDING, **env)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60)


def test_library_path_and_version():
    assert os.path.basename(airlock.library_path()).startswith("libairlock")
    assert airlock.guest_version() == "1.27.0"


def test_explicit_library_path():
    p = _python("import airlock; print(airlock.library_path()); print(airlock.run('6*7').result)",
                {"AIRLOCK_LIBRARY": airlock.library_path()})
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == [airlock.library_path(), "42"]


def test_bad_library_path_is_a_clear_error():
    code = (
        "import airlock\n"
        "try:\n"
        "    airlock.run('1')\n"
        "except airlock.LibraryNotFoundError as e:\n"
        "    print('ERR', e)\n"
    )
    p = _python(code, {"AIRLOCK_LIBRARY": "/nonexistent/libairlock.so.0"})
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("ERR cannot load libairlock from AIRLOCK_LIBRARY=/nonexistent/libairlock.so.0")


def test_not_libairlock_is_refused():
    # a real shared library that is not libairlock
    import ctypes.util

    libm = ctypes.util.find_library("m") or "libm.so.6"
    p = _python("import airlock\ntry:\n    airlock.run('1')\nexcept airlock.LibraryNotFoundError as e:\n    print(e)",
                {"AIRLOCK_LIBRARY": libm})
    assert "not libairlock" in p.stdout, p.stdout + p.stderr


def test_import_does_not_need_the_library():
    p = _python("import airlock; print('imported')", {"AIRLOCK_LIBRARY": "/nonexistent.so"})
    assert p.stdout.strip() == "imported", p.stderr
