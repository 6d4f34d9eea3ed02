"""Structured values: run(inputs=...), RunResult.result_value,
Session.set_value() and get_value()."""

import math

import pytest

from airlock import FuelExhausted, MisuseError, Session, ValueCrossingError, run


def test_inputs_become_globals():
    data = {"xs": [1, 2.5, None, True], "name": "h\u00e9", "raw": b"\x00\xff", "t": (1, 2)}
    r = run("print(type(xs[1]).__name__, name, raw, t)\nsum(xs[:2])", inputs={"data": data, **data})
    assert r.stdout == "float h\u00e9 b'\\x00\\xff' [1, 2]\n"
    assert r.result_value == 3.5


def test_result_value_structured():
    r = run("{'a': [1, {'b': b'x'}], 'n': None, 'big': 2**63 - 1}")
    assert r.result_value == {"a": [1, {"b": b"x"}], "n": None, "big": 2 ** 63 - 1}
    assert r.result.startswith("{")  # the repr is still there


def test_result_value_none_when_absent_or_uncrossable():
    assert run("x = 1").result_value is None
    r = run("class Foo:\n    pass\nFoo()")
    assert r.result_value is None and r.result.startswith("<Foo object")


def test_session_set_get_round_trip():
    with Session() as s:
        value = {"k": [0.5, -1, "s", b"b", None, False, {"deep": [[]]}]}
        s.set_value("v", value)
        assert s.get_value("v") == value
        s.run("v['k'].append(len(v['k']))")
        assert s.get_value("v")["k"][-1] == 7
        nan = s.run("float('nan')").result_value
        assert math.isnan(nan)


def test_get_value_errors():
    with Session() as s:
        s.run("class Foo:\n    pass\nobj = Foo()\nloop = []\nloop.append(loop)\nkeys = {1: 2}")
        with pytest.raises(KeyError):
            s.get_value("missing")
        with pytest.raises(ValueCrossingError, match="Foo"):
            s.get_value("obj")
        with pytest.raises(ValueCrossingError, match="nested too deeply"):
            s.get_value("loop")
        with pytest.raises(ValueCrossingError, match="must be str"):
            s.get_value("keys")
        with pytest.raises(MisuseError):
            s.get_value("not a name")


def test_set_value_errors():
    with Session() as s:
        with pytest.raises(TypeError):
            s.set_value("x", object())
        with pytest.raises(OverflowError):
            s.set_value("x", 2 ** 64)
        loop = []
        loop.append(loop)
        with pytest.raises(ValueError, match="cycle"):
            s.set_value("x", loop)
        deep = []
        for _ in range(50):
            deep = [deep]
        with pytest.raises(ValueCrossingError, match="nested too deeply"):
            s.set_value("x", deep)
        with pytest.raises(MisuseError):
            s.set_value("1x", 1)
        with pytest.raises(KeyError):
            s.get_value("x")


def test_reading_obeys_limits():
    with Session(fuel=50_000_000) as s:
        s.run("class D(dict):\n    def __getitem__(self, k):\n        while True:\n            pass\nd = D(a=1)")
        with pytest.raises(FuelExhausted):
            s.get_value("d")
        assert s.run("print('alive')").stdout == "alive\n"
