"""run(): results, guest exceptions, limits, filesystem grants."""

import os
import threading
import time

import pytest

import airlock
from airlock import (
    AirlockError,
    FuelExhausted,
    GrantError,
    GuestError,
    GuestExit,
    LimitExceeded,
    MemoryLimitExceeded,
    MisuseError,
    OutputLimitExceeded,
    RunResult,
    TimeoutExceeded,
    run,
)


def test_stdout_and_result():
    r = run("print(1 + 1)")
    assert isinstance(r, RunResult)
    assert r.stdout == "2\n"
    assert r.stderr == ""
    assert r.result is None
    assert r.exit_code == 0 and r.limit is None


def test_result_is_repr_of_last_expression():
    assert run("x = 20\nx + 22").result == "42"
    assert run("'a' * 3").result == "'aaa'"
    assert run("None").result is None
    assert run("2 ** 100").result == str(2 ** 100)


def test_stats():
    r = run("sum(range(1000))", fuel=10 ** 9)
    assert r.fuel_used > 0
    assert r.fuel_remaining == 10 ** 9 - r.fuel_used
    assert r.wall_ms > 0 and r.wall_seconds == r.wall_ms / 1000
    assert r.memory_bytes >= 16 << 20
    assert run("1").fuel_remaining is None  # no fuel limit


def test_stderr_is_captured():
    r = run("import sys\nsys.stderr.write('warn\\n')\nprint('out')")
    assert r.stdout == "out\n"
    assert r.stderr == "warn\n"


def test_unicode_and_nul():
    r = run("print('h\u00e9llo \u2603', end='')\nprint('a\\x00b', end='')")
    assert r.stdout == "h\u00e9llo \u2603a\x00b"


def test_bytes_code_accepted():
    assert run(b"print(3)").stdout == "3\n"


def test_fresh_state_each_run():
    run("x = 1")
    with pytest.raises(GuestError) as info:
        run("x")
    assert info.value.type == "NameError"


def test_guest_exception_raises_on_host():
    with pytest.raises(GuestError) as info:
        run("print('before')\nraise ValueError('boom')")
    e = info.value
    assert str(e) == "ValueError: boom"
    assert e.type == "ValueError"
    assert e.message == "boom"
    assert e.traceback.startswith("Traceback (most recent call last):")
    assert e.traceback.rstrip().endswith("ValueError: boom")
    assert e.stdout == "before\n" and e.result.stdout == "before\n"
    assert isinstance(e, AirlockError) and isinstance(e, RuntimeError)
    assert isinstance(e, airlock.MicroPythonWasmError)


def test_syntax_error():
    with pytest.raises(GuestError) as info:
        run("def f(:\n  pass")
    assert info.value.type == "SyntaxError"


def test_system_exit():
    with pytest.raises(GuestExit) as info:
        run("import sys\nprint('x')\nsys.exit(3)")
    assert info.value.exit_code == 3
    assert info.value.stdout == "x\n"
    r = run("import sys\nprint('ok')\nsys.exit(0)")
    assert r.stdout == "ok\n" and r.exit_code == 0


def test_timeout():
    start = time.monotonic()
    with pytest.raises(TimeoutExceeded) as info:
        run("while True:\n    pass", wall_timeout_seconds=0.3)
    assert time.monotonic() - start < 5
    e = info.value
    assert e.limit == "timeout" and e.result.limit == "timeout"
    assert isinstance(e, LimitExceeded)
    assert "0.3 s" in str(e)


def test_timeout_on_c_level_loop():
    # one huge integer operation: no Python bytecode boundary to stop at
    with pytest.raises(TimeoutExceeded):
        run("x = 10 ** 10 ** 8", wall_timeout_seconds=0.5)


def test_timeout_keeps_output_so_far():
    with pytest.raises(TimeoutExceeded) as info:
        run("print('started')\nwhile True:\n    pass", wall_timeout_seconds=0.3)
    assert info.value.stdout == "started\n"


def test_fuel():
    with pytest.raises(FuelExhausted) as info:
        run("while True:\n    pass", fuel=2_000_000, wall_timeout_seconds=None)
    assert info.value.limit == "fuel"
    assert info.value.result.fuel_used >= 2_000_000
    assert "2000000" in str(info.value)
    # enough fuel: fine
    assert run("sum(range(100))", fuel=50_000_000).result == "4950"


def test_memory():
    with pytest.raises(MemoryLimitExceeded) as info:
        run("x = bytearray(100 * 1024 * 1024)", memory_bytes=64 * 1024 * 1024)
    assert info.value.limit == "memory"
    assert info.value.type == "MemoryError"
    # the same allocation fits in a larger limit
    run("x = bytearray(100 * 1024 * 1024)", memory_bytes=256 * 1024 * 1024)


def test_memory_limit_below_minimum_is_misuse():
    with pytest.raises(MisuseError) as info:
        run("1", memory_bytes=1024 * 1024)
    assert "memory limit" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_output_limit_truncates():
    r = run("print('x' * 5000)", max_output_bytes=1000)
    assert r.stdout_truncated
    assert len(r.stdout) <= 1000


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(memory_bytes=0),
        dict(memory_bytes=-1),
        dict(fuel=0),
        dict(wall_timeout_seconds=0),
        dict(wall_timeout_seconds=-1.5),
        dict(max_output_bytes=0),
    ],
)
def test_invalid_limits(kwargs):
    with pytest.raises(ValueError):
        run("1", **kwargs)


def test_bad_types():
    with pytest.raises(TypeError):
        run(42)
    with pytest.raises(TypeError):
        run("1", fuel="lots")


def test_wasm_path_refused():
    with pytest.raises(MisuseError):
        run("1", "/some/micropython.wasm")


def test_nothing_reachable_by_default():
    with pytest.raises(GuestError) as info:
        run("open('/etc/passwd').read()")
    assert info.value.type == "OSError"
    assert run("import os\nos.listdir('/')").result == "['lib']"
    with pytest.raises(GuestError):
        run("import socket")


def test_readonly_dir(tmp_path):
    (tmp_path / "example.txt").write_text("hello from the host\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "n.json").write_text('{"n": 7}')
    r = run(
        "import os, json\n"
        "print(sorted(os.listdir('/input')))\n"
        "print(open('/input/example.txt').read(), end='')\n"
        "json.load(open('/input/sub/n.json'))['n']",
        readonly_dir=tmp_path,
    )
    assert r.stdout == "['example.txt', 'sub']\nhello from the host\n"
    assert r.result == "7"
    # a str path works too
    assert run("open('/input/example.txt').read()", readonly_dir=str(tmp_path)).result == repr("hello from the host\n")


@pytest.mark.parametrize(
    "code",
    [
        "open('/input/new.txt', 'w')",
        "open('/input/example.txt', 'w')",
        "open('/input/example.txt', 'a')",
        "import os\nos.mkdir('/input/d')",
        "import os\nos.remove('/input/example.txt')",
        "import os\nos.rename('/input/example.txt', '/input/moved.txt')",
    ],
)
def test_readonly_dir_denies_writes(tmp_path, code):
    (tmp_path / "example.txt").write_text("original\n")
    with pytest.raises(GuestError) as info:
        run(code, readonly_dir=tmp_path)
    assert info.value.type == "OSError"
    assert sorted(os.listdir(tmp_path)) == ["example.txt"]
    assert (tmp_path / "example.txt").read_text() == "original\n"


def test_readonly_dir_cannot_escape(tmp_path):
    inner = tmp_path / "inner"
    inner.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", inner / "link")
    for code in ("open('/input/../secret.txt').read()", "open('/input/link').read()"):
        with pytest.raises(GuestError) as info:
            run(code, readonly_dir=inner)
        assert info.value.type == "OSError"


def test_readonly_dir_must_exist(tmp_path):
    with pytest.raises(GrantError):
        run("1", readonly_dir=tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(GrantError):
        run("1", readonly_dir=tmp_path / "file")


def test_gil_released_during_run():
    """Python threads keep running while the guest computes."""
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    t = threading.Thread(target=ticker)
    t.start()
    try:
        with pytest.raises(TimeoutExceeded):
            run("while True:\n    pass", wall_timeout_seconds=0.5)
    finally:
        stop.set()
        t.join()
    assert len(ticks) >= 10


def test_parallel_runs_on_threads():
    results = {}

    def work(i):
        results[i] = run("sum(range(%d))" % (i * 1000)).result

    threads = [threading.Thread(target=work, args=(i,)) for i in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {i: str(sum(range(i * 1000))) for i in range(1, 5)}
