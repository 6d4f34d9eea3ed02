#!/usr/bin/env python3
"""A stand-in for `airlock --json FILE`, used to test run.py itself.

It runs the snippet through node_run.mjs and prints the airlock JSON shape
({"ok", "stdout", "stderr", "result", "error", "limit", "stats"}) with the
CLI's exit statuses.  FAKE_AIRLOCK_BREAK="SUBSTRING:KIND,..." makes it lie
for cases whose file name contains SUBSTRING, so the comparison logic can be
shown to catch each kind of difference.  KIND is one of:

  stdout     change one character of stdout
  extra      append a line to stdout
  newline    drop the final newline of stdout
  type       report a different exception type (or one where there was none)
  noerror    report success even if the snippet raised
  limit      report a fuel limit stop
  nojson     print something that is not JSON
  crash      die with a signal-like status and no output
  hang       sleep longer than any sane timeout

Usage: fake_airlock.py --json FILE.py
"""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    if len(argv) != 2 or argv[0] != "--json":
        sys.stderr.write("usage: fake_airlock.py --json FILE.py\n")
        return 2
    path = argv[1]
    t0 = time.time()
    p = subprocess.run(["node", os.path.join(HERE, "node_run.mjs"), path],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        sys.stderr.write(p.stderr.decode("utf-8", "replace"))
        return 70
    r = json.loads(p.stdout.decode("utf-8"))

    kinds = set()
    for spec in filter(None, os.environ.get("FAKE_AIRLOCK_BREAK", "").split(",")):
        sub, _, kind = spec.partition(":")
        if sub and sub in os.path.basename(path):
            kinds.add(kind)

    stdout, etype, limit = r["stdout"], r["error_type"], None
    if "stdout" in kinds:
        i = len(stdout) // 2
        stdout = stdout[:i] + ("X" if stdout[i:i + 1] != "X" else "Y") + stdout[i + 1:] if stdout else "X"
    if "extra" in kinds:
        stdout += "extra line\n"
    if "newline" in kinds and stdout.endswith("\n"):
        stdout = stdout[:-1]
    if "type" in kinds:
        etype = "RuntimeError" if etype != "RuntimeError" else "ValueError"
    if "noerror" in kinds:
        etype = None
    if "limit" in kinds:
        limit, etype = "fuel", None
    if "nojson" in kinds:
        print("Traceback: fake airlock went wrong")
        return 1
    if "crash" in kinds:
        return 139
    if "hang" in kinds:
        time.sleep(3600)

    error = None
    if etype is not None:
        msg = (r.get("error_message") or "").strip().splitlines()
        last = msg[-1] if msg else etype
        error = {"type": etype,
                 "message": last.split(":", 1)[1].strip() if ":" in last else "",
                 "traceback": r.get("error_message") or ""}
    out = {
        "ok": error is None and limit is None,
        "stdout": stdout,
        "stderr": r.get("stderr", ""),
        "result": None,
        "error": error,
        "limit": limit,
        "stats": {"fuel_used": 0, "wall_ms": int((time.time() - t0) * 1000),
                  "stdout_truncated": False, "stderr_truncated": False},
    }
    print(json.dumps(out))
    if limit is not None:
        return 3
    if etype is None:
        return 0
    if etype == "SystemExit":
        arg = error["message"]
        if arg in ("", "None"):
            return 0
        try:
            return int(arg) & 0xFF
        except ValueError:
            return 1
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
