#!/usr/bin/env python3
"""CPython compatibility corpus for airlock (standard library only).

Each tests/compat/cases/<category>_<name>.py is run through CPython (the
oracle, recomputed every run) and through a runner that prints airlock's
--json object. A case passes when stdout is identical and the uncaught
exception type (or its absence) is the same. SystemExit counts as no
exception on both sides.

Usage:
  tests/compat/run.py [--runner airlock|node] [--guest NAME] [--raw] [-j N]
                      [-k SUBSTR] [-v] [--json FILE] [--update-baseline]

--runner airlock  uses build/airlock --json FILE (default when it exists)
--runner node     uses tests/compat/node_runner.mjs (the guest under Node.js)
--guest NAME      airlock runner with --guest NAME (micropython, the default,
                  or cpython); each guest has its baseline file
--raw             node runner without guests/micropython/lib (the raw guest), no baseline
The last line printed is "N passed, M failed"; the exit status is 0 when the
pass rate is at or above tests/compat/baseline.txt.
"""
import argparse
import concurrent.futures
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CASES = os.path.join(HERE, "cases")
BASELINE = os.path.join(HERE, "baseline.txt")
AIRLOCK = os.environ.get("AIRLOCK") or os.path.join(ROOT, "build", "airlock")
TIMEOUT = 60


def category(name):
    return name.split("_", 1)[0]


def exc_type_from_traceback(text):
    """Last 'Name: message' line of a CPython traceback -> 'Name'."""
    lines = [l for l in text.rstrip().splitlines() if l and not l.startswith(" ")]
    if not lines:
        return "UnknownError"
    last = lines[-1]
    name = last.split(":", 1)[0].strip()
    return name.rsplit(".", 1)[-1]


def run_cpython(path):
    with tempfile.TemporaryDirectory() as cwd:
        try:
            p = subprocess.run([sys.executable, "-I", path], cwd=cwd,
                               capture_output=True, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return {"stdout": "", "error": "Timeout"}
    out = p.stdout.decode("utf-8", "replace")
    err = None
    if p.returncode != 0:
        tb = p.stderr.decode("utf-8", "replace")
        if "Traceback (most recent call last)" in tb:
            err = exc_type_from_traceback(tb)
        # otherwise: sys.exit(n) -> SystemExit, counted as no exception
    return {"stdout": out, "error": err}


def baseline_file(guest):
    return BASELINE if guest == "micropython" else os.path.join(HERE, "baseline-%s.txt" % guest)


def runner_cmd(runner, raw, guest, path):
    if runner == "airlock":
        # Agent scripts write scratch files under /tmp, as the MCP server
        # allows by default; the CLI grants nothing unless asked.
        return [AIRLOCK, "--guest", guest, "--json", "--scratch", "64M", path]
    cmd = ["node", os.path.join(HERE, "node_runner.mjs")]
    if raw:
        cmd.append("--no-lib")
    return cmd + [path]


def run_guest(runner, raw, guest, path):
    try:
        p = subprocess.run(runner_cmd(runner, raw, guest, path), capture_output=True,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"stdout": "", "error": "Timeout", "message": "runner timed out"}
    text = p.stdout.decode("utf-8", "replace").strip()
    try:
        obj = json.loads(text.splitlines()[-1]) if text else None
    except ValueError:
        obj = None
    if not isinstance(obj, dict):
        return {"stdout": "", "error": "RunnerError",
                "message": (text + p.stderr.decode("utf-8", "replace"))[-500:]}
    e = obj.get("error")
    etype = None
    msg = ""
    if e:
        etype = e.get("type") or "UnknownError"
        msg = e.get("message") or ""
        if etype == "SystemExit":
            etype = None
    if obj.get("limit"):
        etype = etype or ("Limit:" + str(obj["limit"]))
    return {"stdout": obj.get("stdout") or "", "error": etype, "message": msg}


def run_case(args, name):
    path = os.path.join(CASES, name)
    want = run_cpython(path)
    got = run_guest(args.runner, args.raw, args.guest, path)
    ok = want["stdout"] == got["stdout"] and want["error"] == got["error"]
    return {"name": name, "category": category(name), "ok": ok,
            "want": want, "got": got}


def first_diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<missing>"
        y = bl[i] if i < len(bl) else "<missing>"
        if x != y:
            return "line %d: want %r / got %r" % (i + 1, x, y)
    return "stdout identical"


def read_baseline(path):
    try:
        with open(path) as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runner", choices=["airlock", "node"],
                    default="airlock" if os.path.exists(AIRLOCK) else "node")
    ap.add_argument("--guest", default="micropython", choices=["micropython", "cpython"])
    ap.add_argument("--raw", action="store_true",
                    help="node runner without guests/micropython/lib (raw guest)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("-k", "--filter", default="")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--json", dest="json_out")
    ap.add_argument("--update-baseline", action="store_true")
    args = ap.parse_args()
    if args.raw and args.runner != "node":
        ap.error("--raw needs --runner node")
    if args.guest != "micropython" and args.runner != "airlock":
        ap.error("--guest needs --runner airlock")
    jobs = max(1, min(args.jobs, 2))  # the machine is shared: at most 2

    names = sorted(n for n in os.listdir(CASES)
                   if n.endswith(".py") and args.filter in n)
    with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
        results = list(ex.map(lambda n: run_case(args, n), names))

    cats = {}
    for r in results:
        c = cats.setdefault(r["category"], [0, 0])
        c[0 if r["ok"] else 1] += 1
        if not r["ok"] and args.verbose:
            w, g = r["want"], r["got"]
            why = []
            if w["error"] != g["error"]:
                why.append("exception: want %s / got %s %s" % (
                    w["error"], g["error"], (g.get("message") or "")[:160]))
            if w["stdout"] != g["stdout"]:
                why.append(first_diff(w["stdout"], g["stdout"]))
            print("FAIL %-40s %s" % (r["name"][:-3], " | ".join(why)))

    label = "raw guest" if args.raw else args.runner if args.guest == "micropython" else \
        "%s --guest %s" % (args.runner, args.guest)
    print("\nPass rate by category (%s):" % label)
    for c in sorted(cats):
        p, f = cats[c]
        print("  %-12s %3d/%-3d %5.1f%%" % (c, p, p + f, 100.0 * p / (p + f)))
    passed = sum(1 for r in results if r["ok"])
    failed = len(results) - passed
    rate = 100.0 * passed / max(1, len(results))
    base_path = baseline_file(args.guest)
    base = read_baseline(base_path)
    print("  %-12s %3d/%-3d %5.1f%%   (baseline %.1f%%)" % (
        "overall", passed, len(results), rate, base))

    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"runner": label, "rate": rate, "categories": cats,
                       "results": results}, f, indent=1)
    status = 0
    if not args.raw and not args.filter:
        if args.update_baseline and rate > base:
            # rounded down: a baseline rounded up would fail the same run
            kept = math.floor(rate * 10) / 10
            with open(base_path, "w") as f:
                f.write("%.1f\n" % kept)
            print("baseline raised to %.1f%%" % kept)
        elif rate + 1e-9 < base:
            print("FAILED: pass rate %.1f%% is below the baseline %.1f%%" % (rate, base))
            status = 1
    print("%d passed, %d failed" % (passed, failed))
    return status


if __name__ == "__main__":
    sys.exit(main())
