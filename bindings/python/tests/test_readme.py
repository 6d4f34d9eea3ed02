"""The examples of README.md's "Use it from Python" section, run as written
(readme_examples.py says how)."""

import os

import pytest

import airlock
from readme_examples import examples, matches, run_example

README = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")
EXAMPLES = [pytest.param(code, expected, id="README.md:%d" % line) for code, expected, line in examples(README)]


def test_section_has_examples():
    assert len(EXAMPLES) >= 5, "README.md lost its Python examples"


@pytest.mark.parametrize("code,expected", EXAMPLES)
def test_example(code, expected, tmp_path, monkeypatch):
    if ("host_functions" in code or "register_function" in code) and not airlock.has_host_functions():
        pytest.skip("this libairlock has no host functions yet")
    monkeypatch.chdir(tmp_path)
    got = run_example(code)
    if expected is not None:
        assert matches(expected, got), "printed:\n%s\nexpected:\n%s" % (got, expected)
