#!/bin/sh
# Replay every fuzz harness over its seeds and past crashes, without
# libFuzzer (tests/run.sh runs this in `make test`).
#   usage: fuzz/replay.sh [path/to/airlock]   (the replay binaries sit in
#          its directory's fuzz/, built by make)
# Last line: "N passed, M failed" (one per input replayed; a crash fails).
set -u
here=$(dirname "$0")
b=$(dirname "${1:-build/airlock}")
pass=0; fail=0
# fz_source runs again on the CPython guest when this airlock has it
# (AIRLOCK_FUZZ_GUEST, fuzz/fz_source.c).
cpython=
"${1:-build/airlock}" --guest cpython -c pass >/dev/null 2>&1 && cpython=cpython
replay() { # harness, guest ("" for the default one)
    out=$(AIRLOCK_FUZZ_GUEST=$2 "$b/fuzz/replay_$1" "$here/corpus/$1" "$here/regressions/$1" 2>&1)
    status=$?
    n=$(echo "$out" | grep -Eo '[0-9]+ passed' | tail -1 | cut -d' ' -f1)
    if [ "$status" = 0 ] && [ -n "$n" ]; then
        pass=$((pass + n))
        echo "replay $1${2:+ ($2)}: $n inputs"
    else
        fail=$((fail + 1))
        echo "FAIL  replay $1${2:+ ($2)} (status $status):"
        echo "$out" | tail -20 | sed 's/^/      /'
    fi
}
for src in "$here"/fz_*.c; do
    h=$(basename "$src" .c)
    bin="$b/fuzz/replay_$h"
    if [ ! -x "$bin" ]; then echo "FAIL  $bin not built"; fail=$((fail + 1)); continue; fi
    replay "$h" ""
    [ "$h" = fz_source ] && [ -n "$cpython" ] && replay "$h" cpython
done
echo "fuzz replay: $pass passed, $fail failed"
[ "$fail" = 0 ]
