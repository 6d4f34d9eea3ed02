"""The examples of README.md's "Use it from Python" section.

Each ```python block runs in a fresh namespace, in a temporary directory.
When the block is followed (before the next code block) by a ```text block
after a line "Output:", what the example prints must match it; "..." in
the expected text matches anything.

test_readme.py runs them under pytest. Run as a script, this file runs them
with nothing but the standard library and the airlock package that Python
finds (the wheel test runs it inside a fresh venv):

    python3 readme_examples.py README.md

It prints one line per failing example and "N passed, M failed".
"""

import contextlib
import io
import os
import re
import sys
import tempfile

SECTION = "## Use it from Python"


def examples(readme):
    """(code, expected-or-None, line) for each Python block of the section."""
    with open(readme, encoding="utf-8") as f:
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
        out.append((m.group(2), expected, line))
    return out


def matches(expected, got):
    pattern = ".*?".join(re.escape(part) for part in expected.rstrip().split("..."))
    return re.fullmatch(pattern, got.rstrip(), flags=re.S) is not None


def run_example(code):
    """What the example prints (run in the current directory)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, "README example", "exec"), {"__name__": "__readme__"})
    return buf.getvalue()


def main(readme):
    found = examples(readme)
    passed = failed = 0
    if len(found) < 5:
        print("FAIL  README.md lost its Python examples (%d found)" % len(found))
        failed += 1
    for code, expected, line in found:
        with tempfile.TemporaryDirectory() as tmp:
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                got = run_example(code)
            except Exception as e:  # the example itself failed
                print("FAIL  README.md:%d: %s: %s" % (line, type(e).__name__, e))
                failed += 1
                continue
            finally:
                os.chdir(cwd)
        if expected is not None and not matches(expected, got):
            print("FAIL  README.md:%d printed:\n%s\nexpected:\n%s" % (line, got, expected))
            failed += 1
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
