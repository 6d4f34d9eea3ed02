#!/bin/sh
# The CPython guest's tests (make test-cpython; not in make test yet).
#
#   tests/cpython/run.sh build/cpython/run
#
# Each case runs source in a fresh interpreter with the first runner
# (tests/cpython/run.c) and checks its exit status and what it printed.
set -u
RUN=${1:?usage: tests/cpython/run.sh path/to/cpython/run}
pass=0 fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# check NAME STATUS STDOUT_PATTERN STDERR_PATTERN -- RUN-ARGS...
# Patterns are grep -E over the whole stream; "" means "anything".
check() {
    name=$1 want_status=$2 want_out=$3 want_err=$4
    shift 5
    timeout 120 "$RUN" "$@" >"$out" 2>"$err"
    status=$?
    ok=1
    [ "$status" = "$want_status" ] || ok=0
    [ -z "$want_out" ] || grep -Eq -- "$want_out" "$out" || ok=0
    [ -z "$want_err" ] || grep -Eq -- "$want_err" "$err" || ok=0
    if [ $ok = 1 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name (status $status, wanted $want_status)"
        sed 's/^/    stdout: /' "$out" | head -10
        sed 's/^/    stderr: /' "$err" | head -10
    fi
}

# ---- what runs ---------------------------------------------------------------
check "version" 0 '^3\.14\.2 ' '' -- -c 'import sys; print(sys.version)'
check "stdlib from the zip" 0 '^/lib/python314\.zip$' '' -- \
    -c 'import textwrap; print(textwrap.__file__.rsplit("/", 1)[0])'
check "json" 0 '^\{"b": 1, "a": \[1, 2\]\} True$' '' -- \
    -c 'import json; s = json.dumps({"b": 1, "a": [1, 2]}); print(s, json.loads(s) == {"b": 1, "a": [1, 2]})'
check "re" 0 "^\['1', '22', '333'\]$" '' -- -c 'import re; print(re.findall(r"\d+", "a1b22c333"))'
check "decimal" 0 '^0\.3 3\.142$' '' -- \
    -c 'from decimal import Decimal, getcontext; getcontext().prec = 4; import math
print(Decimal("0.1") + Decimal("0.2"), +Decimal(math.pi))'
check "dataclasses" 0 '^P\(x=1, y=2\)$' '' -- -c 'from dataclasses import dataclass
@dataclass
class P:
    x: int
    y: int = 2
print(P(1))'
check "match" 0 '^pair 3$' '' -- -c 'match (1, 2):
    case (a, b):
        print("pair", a + b)
    case _:
        print("other")'
check "dict order, isinstance(True, int), raise from" 0 "^\['z', 'a'\] True ValueError$" '' -- -c 'd = {"z": 1, "a": 2}
try:
    try:
        1 / 0
    except ZeroDivisionError as e:
        raise KeyError("k") from ValueError("v")
except KeyError as k:
    print(list(d), isinstance(True, int), type(k.__cause__).__name__)'
check "traceback" 1 '' 'line 1, in f' -- -c 'def f(): 1 / 0
f()'
check "traceback names the error" 1 '' '^ZeroDivisionError: division by zero$' -- -c 'def f(): 1 / 0
f()'
check "state kept between runs" 0 '^42$' '' -- -c 'x = 41' -c 'print(x + 1)'
check "RecursionError" 0 '^RecursionError$' '' -- -c 'def r(n): return r(n + 1)
try:
    r(0)
except RecursionError as e:
    print(type(e).__name__)'
check "MemoryError under a memory cap" 0 '^MemoryError$' '' -- --memory-mb 64 -c 'try:
    b = bytearray(200 * 1024 * 1024)
except MemoryError:
    print("MemoryError")'
check "a 300 MB bytearray below the default cap" 0 '^314572800$' '' -- \
    -c 'print(len(bytearray(300 * 1024 * 1024)))'
check "sys.exit status" 7 '^before$' '' -- -c 'import sys; print("before"); sys.exit(7)'
check "scratch /tmp" 0 '^hi$' '' -- -c 'open("/tmp/x", "w").write("hi"); print(open("/tmp/x").read())'
check "unicodedata, zlib, hashlib" 0 '^LATIN SMALL LETTER A 9 2cf24dba$' '' -- -c 'import unicodedata, zlib, hashlib
print(unicodedata.name("a"), len(zlib.compress(b"a")), hashlib.sha256(b"hello").hexdigest()[:8])'

# ---- what it does not allow ----------------------------------------------------
check "host files are not there" 0 '^FileNotFoundError 2 True$' '' -- -c 'import errno
try:
    open("/etc/passwd")
except OSError as e:
    print(type(e).__name__, e.errno == errno.ENOENT and 2, e.errno == errno.ENOENT)'
check "the library is read-only" 0 '^(PermissionError|OSError)' '' -- -c 'try:
    open("/lib/python314.zip", "w")
except OSError as e:
    print(type(e).__name__)'
check "no sockets" 0 '^PermissionError$' '' -- -c 'import socket
try:
    socket.socket()
except OSError as e:
    print(type(e).__name__)'
check "no name resolution" 0 '^gaierror$' '' -- -c 'import socket
try:
    socket.getaddrinfo("localhost", 80)
except OSError as e:
    print(type(e).__name__)'
check "no processes" 0 '^refused$' '' -- -c 'import os, subprocess
assert os.system("id") != 0
try:
    subprocess.run(["id"])
except OSError:
    print("refused")'
check "no JavaScript module" 0 '^ModuleNotFoundError$' '' -- -c 'try:
    import js
except ImportError as e:
    print(type(e).__name__)'
NESTED='l = []
for _ in range(1000000):
    l = [l]'
check "C-level recursion: RecursionError" 0 '^RecursionError$' '' -- -c "$NESTED" -c 'try:
    repr(l)
except RecursionError as e:
    print(type(e).__name__)'
check "C-level recursion on a small stack: the call traps, not the process" 3 '^before$' \
    'guest trapped: native stack exhausted' -- --stack-mb 8 -c 'print("before")' -c "$NESTED" -c 'repr(l)' \
    -c 'print("never")'
check "timeout: KeyboardInterrupt" 1 '' 'KeyboardInterrupt' -- --timeout 0.5 -c 'n = 0
while True: n += 1'
check "timeout: a swallowed interrupt is stopped by force" 3 '' 'stopped by a resource limit' -- \
    --timeout 0.5 -c 'while True:
    try:
        while True: pass
    except KeyboardInterrupt:
        pass'
check "timeout: a long sleep is stopped by force" 3 '' 'stopped by a resource limit' -- \
    --timeout 0.5 -c 'import time; time.sleep(60)'

# time.sleep waits without spinning: CPU time well under the sleep.
cpu=$( { /usr/bin/time -f '%U %S' "$RUN" -c 'import time; time.sleep(1.0)' >/dev/null 2>/dev/null; } 2>&1 | tail -1)
if echo "$cpu" | awk '{ exit !($1 + $2 < 0.5) }'; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: time.sleep spins (cpu $cpu for a 1 s sleep)"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
