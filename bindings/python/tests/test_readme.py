"""The examples of README.md's "Use it from Python" section, run as written.

Each ```python block runs in a fresh namespace, in a temporary directory.
When the block is followed (before the next code block) by a ```text block
after a line "Output:", what the example prints must match it; "..." in
the expected text matches anything.
"""

import contextlib
import io
import os
import re

import pytest

import airlock

README = os.path.join(os.path.dirname(__file__), "..", "..", "..", "README.md")
SECTION = "## Use it from Python"


def examples():
    with open(README, encoding="utf-8") as f:
        text = f.read()
    if SECTION not in text:
        return []
    body = text.split(SECTION, 1)[1]
    body = re.split(r"^## ", body, maxsplit=1, flags=re.M)[0]
    blocks = list(re.finditer(r"^```(\w*)\n(.*?)^```$", body, flags=re.M | re.S))
    out = []
    for i, m in enumerate(blocks):
        if m.group(1) != "python":
            continue
        expected = None
        if i + 1 < len(blocks) and blocks[i + 1].group(1) == "text":
            between = body[m.end() : blocks[i + 1].start()]
            if "Output:" in between:
                expected = blocks[i + 1].group(2)
        line = text[: text.index(SECTION)].count("\n") + body[: m.start()].count("\n") + 2
        out.append(pytest.param(m.group(2), expected, id="README.md:%d" % line))
    return out


EXAMPLES = examples()


def test_section_has_examples():
    assert len(EXAMPLES) >= 5, "README.md lost its Python examples"


def _matches(expected, got):
    pattern = ".*?".join(re.escape(part) for part in expected.rstrip().split("..."))
    return re.fullmatch(pattern, got.rstrip(), flags=re.S) is not None


@pytest.mark.parametrize("code,expected", EXAMPLES)
def test_example(code, expected, tmp_path, monkeypatch):
    if ("host_functions" in code or "register_function" in code) and not airlock.has_host_functions():
        pytest.skip("this libairlock has no host functions yet")
    monkeypatch.chdir(tmp_path)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, "README example", "exec"), {"__name__": "__readme__"})
    if expected is not None:
        assert _matches(expected, buf.getvalue()), "printed:\n%s\nexpected:\n%s" % (buf.getvalue(), expected)
