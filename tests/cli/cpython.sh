#!/bin/sh
# airlock --guest cpython: the CLI around the CPython guest (issue 11).
# Skipped, with its reason, when this airlock was built without it (CPYTHON=0).
set -u
AIRLOCK=${1:-build/airlock}
. "$(dirname "$0")/lib.sh"

if ! "$AIRLOCK" --guest cpython -c 'pass' >/dev/null 2>"$TMP/probe"; then
    echo "skipped: cli/cpython: $(head -c 200 "$TMP/probe")"
    echo "cli: 0 passed, 0 failed, 1 skipped"
    exit 0
fi
G="--guest cpython"

# ---- runs, and reports like any run -----------------------------------------------
expect_stdout "3.14.2" $G -c 'import sys; print(sys.version.split()[0])'
expect_stdout "cpython" $G -c 'import sys; print(sys.implementation.name)'
expect_stdout_has "CPython 3.14.2" --version
expect_stdout_has "Guest: CPython 3.14.2" $G --list-grants
json_check 'print("out"); import sys; print("err", file=sys.stderr); 6 * 7' \
    'd["ok"] and d["stdout"] == "out\n" and d["stderr"] == "err\n" and d["result"] == "42" and d["stats"]["guest"] == "cpython"' $G
# what CPython has and MicroPython does not: it is really CPython
expect_stdout "['b', 'a'] True ok" $G -c '
d = {"b": 1, "a": 2}
print(list(d), isinstance(True, int), end=" ")
match {"k": [1, 2]}:
    case {"k": [_, *rest]}: print("ok")'
expect_stdout "3.14.2" $G - <<'PY'
import sys
print(sys.version.split()[0])
PY

# the build-time snapshot (the default) and a boot without it
# (AIRLOCK_NO_PREBUILT) give the same interpreter
got=$(AIRLOCK_NO_PREBUILT=1 "$AIRLOCK" $G -c 'import sys; print(sys.version.split()[0], 6 * 7)' 2>&1)
[ "$got" = "3.14.2 42" ] && ok || bad "AIRLOCK_NO_PREBUILT=1: '$got'"

# the standard library imports from the guest's own .pyc (checked hash-based:
# flags 3), and zipimport uses a .pyc only while it matches the source beside
# it: a stale one is passed over for the source
expect_stdout "True 3
source pyc" $G - <<'PY'
import importlib._bootstrap_external as external, importlib.util, sys, zipfile
import asyncio
data = zipfile.ZipFile("/lib/python314.zip").read("asyncio/__init__.pyc")
print(asyncio.__spec__.origin.endswith(".pyc"), int.from_bytes(data[4:8], "little"))
def pyc(code, source):
    return external._code_to_hash_pyc(compile(code, "m.py", "exec"), importlib.util.source_hash(source), checked=True)
with zipfile.ZipFile("/tmp/t.zip", "w") as z:
    z.writestr("stale.py", "value = 'source'")
    z.writestr("stale.pyc", pyc("value = 'pyc'", b"value = 'old source'"))
    z.writestr("fresh.py", "value = 'source'")
    z.writestr("fresh.pyc", pyc("value = 'pyc'", b"value = 'source'"))
sys.path.insert(0, "/tmp/t.zip")
import fresh, stale
print(stale.value, fresh.value)
PY

# ---- exit codes ------------------------------------------------------------------
expect_status 0 $G -c 'x = 1'
expect_status 1 $G -c 'raise ValueError("bad")'
expect_stderr_has "ValueError: bad" $G -c 'raise ValueError("bad")'
expect_status 3 $G -c 'raise SystemExit(3)'
expect_status 0 $G -c 'import sys; sys.exit()'
expect_status 1 $G -c 'import sys; sys.exit("bye")'
expect_stderr_has "bye" $G -c 'import sys; sys.exit("bye")'
expect_status 2 $G --no-compat -c 'pass'
expect_stderr_has "has no compatibility layer" $G --no-compat -c 'pass'

# ---- tracebacks name the program's file -------------------------------------------
printf 'def f():\n    return 1 / 0\nf()\n' > "$TMP/prog.py"
expect_status 1 $G "$TMP/prog.py"
expect_stderr_has "File \"$TMP/prog.py\", line 2, in f" $G "$TMP/prog.py"
expect_stderr_has "ZeroDivisionError: division by zero" $G "$TMP/prog.py"
json_check 'def g():
    raise KeyError("k")
g()' 'd["error"]["type"] == "KeyError" and "line 2, in g" in d["error"]["traceback"] and "airlock" not in d["error"]["traceback"]' $G
expect_stderr_has "SyntaxError" $G -c 'def ('

# ---- limits ----------------------------------------------------------------------
json_check 'x = bytearray(512 * 1024 * 1024)' \
    'd["limit"] == "memory" and d["error"]["type"] == "MemoryError"' $G --memory 128M
expect_status 3 $G --memory 128M -c 'x = bytearray(512 * 1024 * 1024)'
# a timeout is a KeyboardInterrupt first (finally runs) ...
json_check 'try:
    while True: pass
finally:
    print("finally ran")' \
    'd["limit"] == "timeout" and d["error"]["type"] == "KeyboardInterrupt" and d["stdout"] == "finally ran\n" and not d["stats"]["hard_stop"]' \
    $G --timeout 0.3
# ... then a hard stop when the code swallows it
SWALLOW='while True:
    try:
        while True: pass
    except KeyboardInterrupt:
        pass'
json_check "$SWALLOW" 'd["limit"] == "timeout" and d["stats"]["hard_stop"]' $G --timeout 0.3
json_check 'print("x" * 5000)' \
    'd["stats"]["stdout_truncated"] and len(d["stdout"]) == 1024 and d["stats"]["stdout_bytes"] > 1024' $G --max-output 1K
# fuel: a loop is stopped (KeyboardInterrupt, then by force if swallowed), as
# in the MicroPython guest; a small program runs under a big budget; --json
# reports the fuel used, more for more work
json_check 'while True: pass' \
    'd["limit"] == "fuel" and d["error"]["type"] == "KeyboardInterrupt" and not d["stats"]["hard_stop"] and d["stats"]["fuel_used"] >= 10**8' \
    $G --fuel 100000000
expect_status 3 $G --fuel 100000000 -c 'while True: pass'
expect_stderr_has "the fuel limit stopped the run" $G --fuel 100000000 -c 'while True: pass'
json_check "$SWALLOW" 'd["limit"] == "fuel" and d["stats"]["hard_stop"]' $G --fuel 100000000
json_check 'print(sum(range(1000)))' \
    'd["ok"] and d["stdout"] == "499500\n" and 0 < d["stats"]["fuel_used"] < 10**10' $G --fuel 10000000000
run_airlock --json $G -c 'sum(range(10))'
small=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["fuel_used"])' "$TMP/out")
json_check 'sum(range(100000))' "d['stats']['fuel_used'] > $small > 0" $G

# ---- default deny ------------------------------------------------------------------
expect_stdout "denied" $G -c '
try:
    open("/etc/passwd").read()
    print("READ")
except OSError:
    print("denied")'
expect_stdout "[]" $G -c 'import os; print([n for n in ("HOME", "PATH", "USER") if n in os.environ])'
expect_stdout "denied" $G -c '
import socket
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1)
    print("CONNECTED")
except OSError:
    print("denied")'
expect_stdout "denied" $G -c '
import subprocess
try:
    subprocess.run(["/bin/true"])
    print("RAN")
except OSError:
    print("denied")'
expect_stdout "True" $G -c 'import os; print(os.system("touch /tmp/airlock-cpython-ran") != 0)'
[ -e /tmp/airlock-cpython-ran ] && bad "os.system ran a command" || ok
expect_stdout "denied" $G -c '
try:
    import js
    print("JS")
except ImportError:
    print("denied")'
# what this guest does not offer yet is refused, never ignored
mkdir -p "$TMP/d"
expect_status 2 $G --allow-read "$TMP/d" -c 'pass'
expect_stderr_has "does not offer file grants" $G --allow-read "$TMP/d" -c 'pass'
expect_stderr_has "does not offer environment variables" $G --allow-env HOME -c 'pass'

# ---- fresh sandboxes share the boot's snapshot, never its secrets ------------------
SECRETS='import os, random, secrets, uuid
print(random.random(), os.urandom(8).hex(), secrets.token_hex(8), uuid.uuid4())'
# two processes, two values of every source
"$AIRLOCK" $G -c "$SECRETS" >"$TMP/s1" 2>&1
"$AIRLOCK" $G -c "$SECRETS" >"$TMP/s2" 2>&1
if python3 -c '
import sys
a, b = (open(f).read().split() for f in sys.argv[1:])
sys.exit(0 if len(a) == len(b) == 4 and all(x != y for x, y in zip(a, b)) else 1)' "$TMP/s1" "$TMP/s2"; then ok
else bad "two runs drew the same secrets: $(cat "$TMP/s1") / $(cat "$TMP/s2")"; fi
# two sandboxes of one runtime (airlock mcp, two sessions)
mcp_init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}'
mcp_run() { # ID SESSION CODE (CODE as a JSON string's contents)
    printf '{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":"run_python","arguments":{"session":"%s","code":"%s"}}}\n' "$1" "$2" "$3"
}
# mcp_secrets FLAGS...: prints "same" or "differ" for two sessions' draws
mcp_secrets() {
    code='import os, random, secrets, uuid\nprint(random.random(), os.urandom(8).hex(), secrets.token_hex(8), uuid.uuid4())'
    { echo "$mcp_init"; mcp_run 2 a "$code"; mcp_run 3 b "$code"; } \
        | timeout 60 "$AIRLOCK" mcp $G "$@" >"$TMP/mcp" 2>"$TMP/mcp.err"
    python3 -c '
import json, sys
replies = {m["id"]: m for m in map(json.loads, open(sys.argv[1])) if "id" in m}
a, b = (replies[i]["result"]["structuredContent"]["stdout"].split() for i in (2, 3))
assert len(a) == len(b) == 4, (a, b)
print("same" if a == b else "differ" if all(x != y for x, y in zip(a, b)) else "partly")' "$TMP/mcp"
}
got=$(mcp_secrets 2>&1)
[ "$got" = differ ] && ok || bad "two sandboxes of one runtime: secrets $got: $(head -c 400 "$TMP/mcp")"
got=$(mcp_secrets --deterministic 2>&1)
[ "$got" = same ] && ok || bad "--deterministic: two sandboxes should draw the same: $got"

# ---- a hard stop, then the same sandbox runs again (airlock mcp keeps it), in a
# fresh interpreter: what the stopped one held is gone
printf '%s\n' \
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"run_python","arguments":{"session":"s","code":"left = 1"}}}' \
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_python","arguments":{"session":"s","code":"while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass"}}}' \
    '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run_python","arguments":{"session":"s","code":"print(40 + 2, \"left\" in globals())"}}}' \
    | timeout 60 "$AIRLOCK" mcp $G --timeout 0.3 >"$TMP/mcp" 2>"$TMP/mcp.err"
if python3 -c '
import json, sys
replies = {m["id"]: m for m in map(json.loads, open(sys.argv[1])) if "id" in m}
stopped = replies[2]["result"]["structuredContent"]
again = replies[3]["result"]["structuredContent"]
sys.exit(0 if stopped["stats"]["hard_stop"] and again["ok"] and again["stdout"] == "42 False\n" else 1)' "$TMP/mcp"; then ok
else bad "mcp: a hard stop, then the same session: $(head -c 600 "$TMP/mcp")"; fi
expect_stderr_has "ready: CPython 3.14.2" mcp $G </dev/null

finish
