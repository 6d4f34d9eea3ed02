#!/usr/bin/env python3
"""Differential test: airlock against the same MicroPython guest under Node.

For every snippet in tests/diff/cases/*.py this runs

  * the oracle: node tests/diff/node_run.mjs CASE   (the pinned guest package,
    loaded by its own loader; recomputed on every run, nothing is cached)
  * the subject: AIRLOCK --json --no-compat CASE

and compares stdout (exactly) and the type of the uncaught exception (or its
absence).  One FAIL line (plus a short diff) per mismatch; the last line is
always "N passed, M failed".  Exit status 0 only if every case passed.

Usage:
  tests/diff/run.py [AIRLOCK] [--only PATTERN]... [-v] [-j N]
                    [--check-exit] [--self-check] [--timeout SECONDS]

  AIRLOCK        path of the airlock binary (default: $AIRLOCK, else build/airlock)
  --only PATTERN run only cases whose name contains PATTERN (or matches it as a
                 glob if it contains * ? or [); may be repeated
  -v             also print passing cases, and full details of failures
  -j N           parallel Node workers (default 2)
  --check-exit   also check airlock's exit status and "ok" field against the
                 CLI contract (0 ok, 1 uncaught exception, SystemExit keeps its
                 code, 3 limit)
  --self-check   do not run airlock: run the oracle twice per case and report
                 cases whose result is not deterministic
  --timeout S    per-process timeout in seconds (default 60)

Standard library only.
"""

import concurrent.futures
import difflib
import fnmatch
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
CASES_DIR = os.path.join(HERE, "cases")
NODE_RUNNER = os.path.join(HERE, "node_run.mjs")
DIFF_LINES = 12


def usage(msg):
    sys.stderr.write("run.py: %s\n" % msg)
    sys.stderr.write(__doc__.split("Usage:")[1].split("Standard library")[0])
    sys.exit(2)


def parse_args(argv):
    opts = {
        "airlock": None,
        "only": [],
        "verbose": False,
        "jobs": 2,
        "check_exit": False,
        "self_check": False,
        "timeout": 60.0,
    }
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-h", "--help"):
            print(__doc__)
            sys.exit(0)
        elif a == "-v":
            opts["verbose"] = True
        elif a in ("--only", "-j", "--timeout") or a.startswith(("--only=", "--timeout=")):
            if "=" in a:
                name, val = a.split("=", 1)
            else:
                if i + 1 >= len(argv):
                    usage("%s needs a value" % a)
                name, val = a, argv[i + 1]
                i += 1
            if name == "--only":
                opts["only"].append(val)
            elif name == "-j":
                try:
                    opts["jobs"] = max(1, int(val))
                except ValueError:
                    usage("-j needs an integer")
            else:
                try:
                    opts["timeout"] = float(val)
                except ValueError:
                    usage("--timeout needs a number")
        elif a == "--check-exit":
            opts["check_exit"] = True
        elif a == "--self-check":
            opts["self_check"] = True
        elif a.startswith("-") and a != "-":
            usage("unknown option %s" % a)
        elif opts["airlock"] is None:
            opts["airlock"] = a
        else:
            usage("unexpected argument %s" % a)
        i += 1
    if opts["airlock"] is None:
        opts["airlock"] = os.environ.get("AIRLOCK") or os.path.join(ROOT, "build", "airlock")
    return opts


def select_cases(patterns):
    names = sorted(f[:-3] for f in os.listdir(CASES_DIR) if f.endswith(".py"))
    if not patterns:
        return names
    out = []
    for n in names:
        for p in patterns:
            if any(c in p for c in "*?["):
                if fnmatch.fnmatchcase(n, p) or fnmatch.fnmatchcase(n + ".py", p):
                    out.append(n)
                    break
            elif p in n:
                out.append(n)
                break
    return out


def run_proc(cmd, timeout):
    """Run cmd; return (returncode, stdout_text, stderr_text, note)."""
    try:
        p = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode("utf-8", "replace")
        err = (e.stderr or b"").decode("utf-8", "replace")
        return None, out, err, "timed out after %gs" % timeout
    except OSError as e:
        return None, "", "", "cannot run %s: %s" % (cmd[0], e)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"), None)


def describe_status(rc):
    if rc is not None and rc < 0:
        try:
            import signal
            return "killed by signal %d (%s)" % (-rc, signal.Signals(-rc).name)
        except (ValueError, AttributeError):
            return "killed by signal %d" % -rc
    return "exit status %s" % rc


def last_json_object(text):
    """Parse the JSON object printed on stdout (exactly one expected)."""
    text = text.strip()
    if not text:
        raise ValueError("empty output")
    try:
        obj = json.loads(text)
    except ValueError:
        # Tolerate stray lines before the object, but say so via the caller.
        obj = json.loads(text.splitlines()[-1])
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj


def run_oracle(name, timeout):
    """Return dict(stdout, error_type, error_message, stderr) or dict(broken=...)."""
    node = os.environ.get("NODE", "node")
    path = os.path.join(CASES_DIR, name + ".py")
    rc, out, err, note = run_proc([node, NODE_RUNNER, path], timeout)
    if note:
        return {"broken": "oracle " + note, "detail": err[-2000:]}
    if rc != 0:
        return {"broken": "oracle exited with status %d" % rc, "detail": err[-2000:]}
    try:
        obj = last_json_object(out)
    except ValueError as e:
        return {"broken": "oracle printed no JSON (%s)" % e, "detail": (out + err)[-2000:]}
    return obj


def run_airlock(airlock, name, timeout):
    path = os.path.join(CASES_DIR, name + ".py")
    # --no-compat: the bare guest, exactly what Node.js runs; the
    # compatibility layer is measured against CPython by tests/compat.
    rc, out, err, note = run_proc([airlock, "--json", "--no-compat", path], timeout)
    if note:
        return {"broken": "airlock " + note, "detail": err[-2000:]}
    try:
        obj = last_json_object(out)
    except ValueError as e:
        return {"broken": "airlock printed no JSON object (%s), %s" % (e, describe_status(rc)),
                "detail": (out + "\n" + err)[-2000:]}
    stray = out.strip().count("\n") > 0 and not out.strip().startswith("{")
    error = obj.get("error")
    etype = None
    if isinstance(error, dict):
        etype = error.get("type")
    elif error is not None:
        etype = "<malformed error field: %r>" % (error,)
    return {
        "stdout": obj.get("stdout") if isinstance(obj.get("stdout"), str) else "",
        "stdout_field_ok": isinstance(obj.get("stdout"), str),
        "error_type": etype,
        "error": error,
        "limit": obj.get("limit"),
        "ok": obj.get("ok"),
        "stderr": obj.get("stderr"),
        "exit": rc,
        "stray": stray,
        "raw_stderr": err,
    }


def visible(text):
    """Show control characters (but not backslashes or non-ASCII) as escapes."""
    return "".join(c if (c >= " " and c != "\x7f") else "\\x%02x" % ord(c) for c in text)


def short_diff(expected, actual, limit=DIFF_LINES):
    lines = list(difflib.unified_diff(
        expected.splitlines(True), actual.splitlines(True),
        "node", "airlock", n=1))
    out = []
    for l in lines[2:]:  # drop the ---/+++ header
        if l.startswith("@@"):
            out.append("    " + l.rstrip("\n"))
            continue
        text = visible(l[:-1] if l.endswith("\n") else l)
        if not l.endswith("\n"):
            text += "   <no newline at end>"
        out.append("    " + text)
    if not out and expected != actual:
        # Differences only in trailing newline or similar.
        out.append("    expected %s" % json.dumps(expected[-60:]))
        out.append("    got      %s" % json.dumps(actual[-60:]))
    if len(out) > limit:
        more = len(out) - limit
        out = out[:limit] + ["    ... (%d more diff lines)" % more]
    return out


def expected_exit(node):
    """Exit status the CLI contract implies for the oracle's outcome."""
    t = node.get("error_type")
    if t is None:
        return {0}
    if t == "SystemExit":
        # SystemExit keeps Python's meaning: code from the message, None -> 0,
        # an integer -> itself, anything else -> 1.
        msg = (node.get("error_message") or "").strip().splitlines()
        last = msg[-1] if msg else ""
        arg = last.split(":", 1)[1].strip() if ":" in last else ""
        if arg == "" or arg == "None":
            return {0}
        try:
            return {int(arg) & 0xFF}
        except ValueError:
            return {1}
    return {1}


def compare(name, node, air, opts):
    """Return list of problem strings (empty = pass) and detail lines."""
    problems, details = [], []
    if "broken" in node:
        problems.append(node["broken"])
        if node.get("detail"):
            details.append("    oracle: " + json.dumps(node["detail"][-400:]))
        return problems, details
    if "broken" in air:
        problems.append(air["broken"])
        if air.get("detail"):
            details.append("    airlock: " + json.dumps(air["detail"][-400:]))
        return problems, details
    if not air["stdout_field_ok"]:
        problems.append("airlock JSON has no string \"stdout\" field")
    if air["limit"] is not None:
        problems.append("airlock stopped by limit %r" % (air["limit"],))
    if node["error_type"] != air["error_type"]:
        problems.append("exception type: node %s, airlock %s" % (node["error_type"], air["error_type"]))
    if node["stdout"] != air["stdout"]:
        problems.append("stdout differs")
        details.extend(short_diff(node["stdout"], air["stdout"]))
    if opts["check_exit"]:
        want = expected_exit(node)
        if air["exit"] not in want:
            problems.append("exit status %s, contract says %s" % (air["exit"], "/".join(map(str, sorted(want)))))
        want_ok = node["error_type"] is None
        if air["ok"] is not want_ok and not (node["error_type"] == "SystemExit" and want == {0}):
            problems.append("\"ok\" is %r, expected %r" % (air["ok"], want_ok))
        if air["stray"]:
            problems.append("airlock printed more than one JSON object line")
    return problems, details


def verbose_details(node, air):
    out = []
    if "broken" not in node:
        if node.get("error_message"):
            out.append("    node error: " + json.dumps(node["error_message"].strip().splitlines()[-1]))
        if node.get("stderr"):
            out.append("    node stderr: " + json.dumps(node["stderr"][-300:]))
    if air is not None and "broken" not in air:
        if isinstance(air.get("error"), dict):
            out.append("    airlock error: " + json.dumps(air["error"])[:400])
        if air.get("stderr"):
            out.append("    airlock stderr: " + json.dumps(air["stderr"][-300:]))
        if air.get("raw_stderr"):
            out.append("    airlock process stderr: " + json.dumps(air["raw_stderr"][-300:]))
        out.append("    airlock exit status: %s" % air.get("exit"))
    return out


def main(argv):
    opts = parse_args(argv)
    names = select_cases(opts["only"])
    if not names:
        sys.stderr.write("run.py: no cases match\n")
        print("0 passed, 0 failed")
        return 2

    airlock = opts["airlock"]
    if not opts["self_check"]:
        if os.sep not in airlock and not os.path.exists(airlock):
            pass  # a bare command name; let the OS search PATH
        elif not (os.path.isfile(airlock) and os.access(airlock, os.X_OK)):
            sys.stderr.write("run.py: airlock binary not found or not executable: %s\n" % airlock)
            print("0 passed, %d failed" % len(names))
            return 2

    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=opts["jobs"]) as pool:
        if opts["self_check"]:
            # Two oracle runs per case; the second is compared with the first.
            f1 = {n: pool.submit(run_oracle, n, opts["timeout"]) for n in names}
            f2 = {n: pool.submit(run_oracle, n, opts["timeout"]) for n in names}
        else:
            f1 = {n: pool.submit(run_oracle, n, opts["timeout"]) for n in names}
        for n in names:
            node = f1[n].result()
            if opts["self_check"]:
                second = f2[n].result()
                problems, details = [], []
                if "broken" in node or "broken" in second:
                    problems.append(node.get("broken") or second.get("broken"))
                else:
                    if node["error_type"] != second["error_type"]:
                        problems.append("exception type not deterministic: %s vs %s"
                                        % (node["error_type"], second["error_type"]))
                    if node["stdout"] != second["stdout"]:
                        problems.append("stdout not deterministic")
                        details.extend(short_diff(node["stdout"], second["stdout"]))
                    if node["error_type"] and node["error_type"].startswith("<host:"):
                        problems.append("guest failed under Node: " + str(node["error_message"])[:200])
                air = None
            else:
                # airlock runs here, in the main thread, while Node workers keep going.
                air = run_airlock(airlock, n, opts["timeout"])
                problems, details = compare(n, node, air, opts)
            if problems:
                failed += 1
                print("FAIL %s: %s" % (n, "; ".join(problems)))
                for d in details:
                    print(d)
                if opts["verbose"]:
                    for d in verbose_details(node, air):
                        print(d)
            else:
                passed += 1
                if opts["verbose"]:
                    et = node.get("error_type")
                    print("PASS %s%s" % (n, " (raises %s)" % et if et else ""))
            sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
