#!/bin/sh
# The escape corpus: snippets that try to leave the sandbox through the CLI
# (escape.py, once per guest), and the API-level attempts (api.c, built by make as
# $(B)/tests/escape_api next to the airlock binary under test).
#   usage: tests/escape/run.sh [path/to/airlock]     (default: build/airlock)
# Last line: "N passed, M failed"; exit 0 only if all pass.
set -u
here=$(dirname "$0")
bin=${1:-build/airlock}
if [ ! -x "$bin" ]; then echo "airlock binary not found: $bin"; echo "0 passed, 1 failed"; exit 1; fi
out=$(mktemp); trap 'rm -f "$out"' EXIT

# The corpus for each guest this airlock has (a case names the guests it
# applies to); the CPython guest is left out of a build without it.
pass=0; fail=0
guests=micropython
if "$bin" --guest cpython -c pass >/dev/null 2>&1; then guests="$guests cpython"
else echo "skipped: escape (CLI, cpython): this airlock has no CPython guest"; fi
for guest in $guests; do
    python3 "$here/escape.py" "$bin" --guest "$guest" | tee "$out" | grep -v '^ok '
    counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    if [ -n "$counts" ]; then
        p=${counts%% passed*}; f=${counts#*passed, }; f=${f%% failed*}
    else
        p=0; f=1
    fi
    pass=$((pass + p)); fail=$((fail + f))
done

api=$(dirname "$bin")/tests/escape_api
if [ -x "$api" ]; then
    "$api" >"$out" 2>&1
    status=$?
    grep -v '^ok ' "$out"
    counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    if [ -n "$counts" ]; then
        p=${counts%% passed*}; f=${counts#*passed, }; f=${f%% failed*}
    else
        p=0; f=1
    fi
    [ "$status" != 0 ] && [ "$f" = 0 ] && f=1
    pass=$((pass + p)); fail=$((fail + f))
else
    echo "FAIL  $api not built (make builds it with the tests)"
    fail=$((fail + 1))
fi
echo "escape: $pass passed, $fail failed"
[ "$fail" = 0 ]
