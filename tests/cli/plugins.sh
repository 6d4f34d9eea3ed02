#!/bin/sh
# Host grants from the command line: --allow-env, --plugin, --deterministic,
# --seed, --audit, --list-grants.
#   tests/cli/plugins.sh [path/to/airlock]
set -u
AIRLOCK=${1:-build/airlock}
. "$(dirname "$0")/lib.sh"
BUILD=$(dirname "$AIRLOCK")
EXAMPLE=$BUILD/plugins/example.so

# env: the granted variable only, even with a secret set in our environment
export AIRLOCK_CLI_GRANTED=visible AIRLOCK_CLI_SECRET=s3cret
expect_stdout "visible None" --allow-env AIRLOCK_CLI_GRANTED \
    -c 'import os; print(os.getenv("AIRLOCK_CLI_GRANTED"), os.getenv("AIRLOCK_CLI_SECRET"))'
expect_stdout "['AIRLOCK_CLI_GRANTED']" --allow-env AIRLOCK_CLI_GRANTED -c 'import os; print(list(os.environ))'
expect_stdout "None 0" -c 'import os; print(os.getenv("AIRLOCK_CLI_SECRET"), len(os.environ))'
expect_status 2 --allow-env 'A=B' -c 'pass'

# deterministic: the same bytes on every run; another seed changes random
prog='import time, random, os
print(time.time(), time.localtime()[:3], random.random(), random.getrandbits(20), os.urandom(9).hex())
time.sleep(0.01)
print(time.ticks_ms())'
run_airlock --deterministic --seed 5 -c "$prog"; cp "$TMP/out" "$TMP/det1"
run_airlock --deterministic --seed 5 -c "$prog"; cp "$TMP/out" "$TMP/det2"
run_airlock --seed 6 -c "$prog"; cp "$TMP/out" "$TMP/det3"
if cmp -s "$TMP/det1" "$TMP/det2" && [ -s "$TMP/det1" ]; then ok; else bad "--deterministic output differs between runs"; fi
if cmp -s "$TMP/det1" "$TMP/det3"; then bad "--seed 6 gave the same output as --seed 5"; else ok; fi
if grep -q "(2024, 1, 1)" "$TMP/det1"; then ok; else bad "--deterministic clock does not start at 2024-01-01"; fi
run_airlock -c 'import random; print(random.getrandbits(32))'; cp "$TMP/out" "$TMP/r1"
run_airlock -c 'import random; print(random.getrandbits(32))'
if cmp -s "$TMP/r1" "$TMP/out"; then bad "two default runs drew the same random number"; else ok; fi
run_airlock -c 'import os; print(os.urandom(16).hex())'; cp "$TMP/out" "$TMP/u1"
run_airlock -c 'import os; print(os.urandom(16).hex())'
if cmp -s "$TMP/u1" "$TMP/out"; then bad "two default runs drew the same os.urandom bytes"; else ok; fi
expect_status 2 --seed banana -c 'pass'

# plugins
if [ -f "$EXAMPLE" ]; then
    expect_stdout "Howdy, Ada! 5" --plugin "$EXAMPLE=greeting=Howdy" \
        -c 'import example; print(example.greet("Ada"), example.add(2, b=3))'
    expect_stdout "caught no numbers" --plugin "$EXAMPLE" \
        -c 'import example
try:
    example.stats([])
except example.ExampleError as e:
    print("caught", e)'
    expect_stderr_has "unknown option" --plugin "$EXAMPLE=colour=red" -c 'pass'
    expect_stdout_has "import example: greet(), add(), stats()" --plugin "$EXAMPLE" --list-grants
else
    bad "no example plugin at $EXAMPLE"
fi
[ -f "$BUILD/tests/plugins/bad_abi.so" ] && expect_stderr_has "ABI 999" --plugin "$BUILD/tests/plugins/bad_abi.so" -c 'pass'
expect_status 2 --plugin "$TMP/missing.so" -c 'pass'
expect_status 2 --plugin nosuchplugin -c 'pass'
expect_stdout_has "read the host environment variable AIRLOCK_CLI_GRANTED" --allow-env AIRLOCK_CLI_GRANTED --list-grants
expect_stdout_has "no host functions, plugins or environment variables are granted" --list-grants

# audit: one JSON line per host call, denials included
run_airlock --audit "$TMP/audit.log" --allow-env AIRLOCK_CLI_GRANTED \
    -c 'import os; os.getenv("AIRLOCK_CLI_GRANTED"); os.getenv("AIRLOCK_CLI_SECRET")'
if [ "$(wc -l <"$TMP/audit.log")" = 2 ]; then ok; else bad "audit log has $(wc -l <"$TMP/audit.log") lines, want 2"; fi
if python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["decision"] for r in rows] == ["allowed", "denied"], rows
assert all(set(r) >= {"time", "plugin", "function", "bytes_in", "bytes_out", "duration_ms"} for r in rows)
' "$TMP/audit.log"; then ok; else bad "audit log lines malformed: $(cat "$TMP/audit.log")"; fi
run_airlock --audit "$TMP/audit.log" -c 'import os; os.getenv("AIRLOCK_CLI_SECRET")'
if [ "$(grep -c '"decision":"denied"' "$TMP/audit.log")" = 2 ]; then ok; else bad "audit without grants missed the denial"; fi
expect_status 2 --audit /nonexistent/dir/audit.log -c 'pass'

finish
