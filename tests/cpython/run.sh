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
# STATUS is a grep -E pattern over the exit status ("1|3": either); the
# others grep -E over the whole stream; "" means "anything".
check() {
    name=$1 want_status=$2 want_out=$3 want_err=$4
    shift 5
    timeout 120 "$RUN" "$@" >"$out" 2>"$err"
    status=$?
    ok=1
    echo "$status" | grep -Eqx -- "$want_status" || ok=0
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
check "no network: sockets reach only this interpreter's loopback" 0 \
    '^OSError ConnectionRefusedError OSError OSError OSError$' '' -- -c 'import errno, socket
r = []
def attempt(f):
    try:
        f()
    except OSError as e:
        r.append(type(e).__name__)
attempt(lambda: socket.socket().connect(("93.184.216.34", 80)))
attempt(lambda: socket.socket().connect(("127.0.0.1", 80)))
attempt(lambda: socket.socket().bind(("10.0.0.1", 0)))
attempt(lambda: socket.socket(socket.AF_INET6))
attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
print(*r)'
check "loopback sockets: a server and a client in one interpreter" 0 '^b.hello. True$' '' -- -c 'import socket
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen()
cli = socket.create_connection(srv.getsockname())
conn, peer = srv.accept()
cli.sendall(b"hello"); cli.close()
print(conn.recv(100), conn.recv(100) == b"")
for s in (conn, srv): s.close()'
check "asyncio.run with sleep and gather" 0 '^\[1, 2, 3\] True$' '' -- -c 'import asyncio, time
async def job(n):
    await asyncio.sleep(0.05 * n)
    return n
async def main():
    t = time.monotonic()
    r = await asyncio.gather(job(1), job(2), job(3))
    return r, 0.14 < time.monotonic() - t < 2
r, ok = asyncio.run(main())
print(r, ok)'
check "asyncio, deterministic: a long sleep on the guest's clock only" 0 '^done$' '' -- --deterministic \
    -c 'import asyncio; asyncio.run(asyncio.sleep(3600)); print("done")'
check "no name resolution" 0 '^gaierror$' '' -- -c 'import socket
try:
    socket.getaddrinfo("example.com", 80)
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
check "timeout: a long sleep ends in KeyboardInterrupt" 1 '' 'KeyboardInterrupt' -- \
    --timeout 0.5 -c 'import time; time.sleep(60)'
check "timeout: a sleep that swallows the interrupt is stopped by force" 3 '' 'stopped by a resource limit' -- \
    --timeout 0.5 -c 'import time
while True:
    try:
        time.sleep(60)
    except KeyboardInterrupt:
        pass'

# time.sleep waits without spinning: CPU time well under the sleep.
cpu=$( { /usr/bin/time -f '%U %S' "$RUN" -c 'import time; time.sleep(1.0)' >/dev/null 2>/dev/null; } 2>&1 | tail -1)
if echo "$cpu" | awk '{ exit !($1 + $2 < 0.5) }'; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: time.sleep spins (cpu $cpu for a 1 s sleep)"; fi

# ---- fresh interpreters from one snapshot ----------------------------------------
# same_lines NAME WANT(same|differ) RUN-ARGS...: two fresh interpreters print
# one line each; are they the same?
same_lines() {
    name=$1 want=$2
    shift 2
    timeout 120 "$RUN" "$@" >"$out" 2>"$err"
    status=$? n=$(wc -l <"$out") a=$(sed -n 1p "$out") b=$(sed -n 2p "$out")
    got=differ
    [ "$a" = "$b" ] && got=same
    if [ "$status" = 0 ] && [ "$n" = 2 ] && [ "$got" = "$want" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $name (status $status, $n lines, $got)"; head -5 "$out" "$err"; fi
}
for what in 'random.random()' 'os.urandom(16).hex()' 'secrets.token_hex(16)' 'uuid.uuid4()' \
        'tempfile.mktemp()' 'random.SystemRandom().random()'; do
    SRC="import random, os, secrets, uuid, tempfile; print($what)"
    same_lines "fresh interpreters differ: $what" differ --fresh -c "$SRC" -c "$SRC"
    same_lines "deterministic fresh interpreters agree: $what" same --fresh --deterministic -c "$SRC" -c "$SRC"
done
same_lines "the hash secret is the snapshot's (SECURITY.md)" same --fresh -c 'print(hash("airlock"))' \
    -c 'print(hash("airlock"))'
check "deterministic clock: 2024-01-01, 1 ms per reading" 0 '^1704067200 True$' '' -- --deterministic \
    -c 'import time; t = time.time(); m = time.monotonic(); print(int(t), 0 < time.monotonic() - m < 0.01)'
check "a fresh interpreter starts clean" 0 '^False$' '' -- --fresh -c 'x = 1' -c 'print("x" in globals())'
check "a fresh interpreter imports from the zip" 0 '^dedent$' '' -- --fresh -c 'import textwrap' \
    -c 'import textwrap; print(textwrap.dedent.__name__)'
check "after a trap, the next fresh interpreter works" 3 '^next$' 'native stack exhausted' -- --fresh --stack-mb 8 \
    -c "$NESTED
repr(l)" -c 'print("next")'

# ---- fuel ----------------------------------------------------------------------------
check "fuel: KeyboardInterrupt" 1 '' 'KeyboardInterrupt' -- --fuel 100000000 -c 'while True: pass'
check "fuel: a swallowed interrupt is stopped by force" 3 '' 'stopped by a resource limit' -- --fuel 100000000 \
    -c 'while True:
    try:
        while True: pass
    except KeyboardInterrupt:
        pass'
check "fuel: a loop in C is stopped by force" 3 '' 'stopped by a resource limit' -- --fuel 100000000 \
    -c 'sum(range(10**15))'
check "timeout: a loop in C is stopped by force" 3 '' 'stopped by a resource limit' -- --timeout 0.5 \
    -c 'sum(range(10**15))'
check "timeout: while True: pass gets KeyboardInterrupt" 1 '' 'KeyboardInterrupt' -- --timeout 0.5 \
    -c 'while True: pass'
# The same source in two fresh interpreters uses the same fuel, and more
# work more fuel.
timeout 120 "$RUN" --fresh --times -c 'sum(i for i in range(1000))' -c 'sum(i for i in range(1000))' \
    -c 'sum(i for i in range(2000))' >"$out" 2>"$err"
f0=$(sed -n 's/^run0_fuel //p' "$err") f1=$(sed -n 's/^run1_fuel //p' "$err") f2=$(sed -n 's/^run2_fuel //p' "$err")
if [ -n "$f0" ] && [ "$f0" = "$f1" ] && [ "$f2" -gt "$f0" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: fuel is deterministic ($f0, $f1, $f2)"; fi

# ---- the build-time snapshot image (build/cpython/prebuilt.img) -----------------------
# It starts fresh interpreters with the driver loaded; each draws its own
# random; a damaged, truncated or foreign image is refused, never run.
IMAGE=$(dirname "$RUN")/prebuilt.img
if [ -f "$IMAGE" ]; then
    check "image: runs" 0 '^4 True$' '' -- --fresh --image "$IMAGE" \
        -c 'import builtins; print(2 + 2, hasattr(builtins, "__airlock_run__"))'
    timeout 120 "$RUN" --fresh --image "$IMAGE" -c 'import os, uuid; print(os.urandom(8).hex(), uuid.uuid4())' \
        -c 'import os, uuid; print(os.urandom(8).hex(), uuid.uuid4())' >"$out" 2>"$err"
    if [ "$(wc -l <"$out")" = 2 ] && [ "$(sort -u "$out" | wc -l)" = 2 ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: image: two fresh interpreters drew the same: $(cat "$out" "$err")"; fi
    bad_image=$(mktemp)
    # damage FILE OFFSET: flip one byte of a copy of the image
    damage() {
        cp "$IMAGE" "$bad_image"
        python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2])); b = f.read(1); f.seek(int(sys.argv[2])); f.write(bytes([b[0] ^ 1]))' "$bad_image" "$1"
    }
    refused() { # NAME REASON
        check "image: $1 is refused" 4 '' "image refused: $2" -- --fresh --image "$bad_image" -c 'print(1)'
    }
    damage $(( $(wc -c <"$IMAGE") - 5000 )); refused "a damaged page" "checksum mismatch"
    damage 0; refused "another file" "not a CPython snapshot"
    damage 50; refused "a damaged head (the pinned wasm's sha256)" "its head fails its checksum"
    head -c 100000 "$IMAGE" >"$bad_image"; refused "a truncated one" "truncated"
    rm -f "$bad_image"
else
    echo "skipped: image tests: no $IMAGE"
fi

# ---- the wall: what a hostile program can do ends its call at worst ---------------
# Each runs in a fresh interpreter, then another one must still work.
wall() { # NAME SOURCE
    check "wall: $1" '[013]' '^clean$' '' -- --fresh --timeout 10 -c "$2" -c 'print("clean")'
}
OP='import dis, types
def f(): return 1
op = dis.opmap'
wall "LOAD_CONST out of range" "$OP
c = f.__code__.replace(co_code=bytes([op['LOAD_CONST'], 200, op['RETURN_VALUE'], 0]), co_consts=())
print(types.FunctionType(c, {})())"
wall "LOAD_FAST out of range" "$OP
c = f.__code__.replace(co_code=bytes([op['LOAD_FAST'], 250, op['RETURN_VALUE'], 0]))
print(types.FunctionType(c, {})())"
wall "STORE_FAST out of range" "$OP
c = f.__code__.replace(co_code=bytes([op['LOAD_CONST'], 0, op['STORE_FAST'], 250, op['LOAD_CONST'], 0,
                                      op['RETURN_VALUE'], 0]))
print(types.FunctionType(c, {})())"
wall "a jump out of the code" "$OP
c = f.__code__.replace(co_code=bytes([op['EXTENDED_ARG'], 255, op['JUMP_FORWARD'], 255]))
print(types.FunctionType(c, {})())"
wall "a stack underflow" "$OP
c = f.__code__.replace(co_code=bytes([op['POP_TOP'], 0] * 40 + [op['RETURN_VALUE'], 0]), co_stacksize=0)
print(types.FunctionType(c, {})())"
wall "ctypes.string_at on an arbitrary address" 'import ctypes
print(ctypes.string_at(0xdeadbeef, 16))'
wall "ctypes.memmove on arbitrary addresses" 'import ctypes
ctypes.memmove(0x10, 0xdeadbeef, 4096)'
wall "ctypes reading past memory" 'import ctypes
print(ctypes.c_char.from_address(0xfffffff0).value)'
wall "ctypes scribbling over the interpreter" 'import ctypes
for a in range(4096, 64 << 20, 1024):
    ctypes.c_uint32.from_address(a).value = 0xdeadbeef'
wall "gc abuse" 'import gc
gc.set_threshold(1, 1, 1)
for o in gc.get_objects():
    for r in gc.get_referents(o):
        gc.get_referrers(r)
    if isinstance(o, list):
        o.clear()
    elif isinstance(o, dict):
        o.clear()'
check "a huge bytearray: MemoryError" 0 '^(MemoryError|OverflowError) MemoryError MemoryError$' '' -- -c 'r = []
for make in (lambda: bytearray(2**40), lambda: bytearray(2**31 - 1), lambda: "x" * (2**31 - 64)):
    try:
        make()
    except (MemoryError, OverflowError) as e:
        r.append(type(e).__name__)
print(*r)'
check "a huge list: MemoryError, the interpreter lives on" 0 '^MemoryError 45$' '' -- -c 'try:
    l = [0] * (2**29)
except MemoryError as e:
    print(type(e).__name__, sum(range(10)))'
check "sys.setrecursionlimit(10**6): Python recursion" 0 '^RecursionError [0-9]+$' '' -- -c 'import sys
sys.setrecursionlimit(10**6)
n = 0
def r():
    global n
    n += 1
    r()
try:
    r()
except RecursionError as e:
    print(type(e).__name__, n)'
check "sys.setrecursionlimit(10**6): recursion through C" 0 '^RecursionError$' '' -- -c 'import sys
sys.setrecursionlimit(10**6)
class R:
    def __repr__(self):
        return repr([self])
try:
    repr(R())
except RecursionError as e:
    print(type(e).__name__)'

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
