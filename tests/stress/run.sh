#!/bin/sh
# Stress and soak: 8 threads of one-shot sandboxes with no cross-talk, then
# sequential runs in one process with resident memory flat, then 8 threads
# executing, interrupting, creating and freeing sandboxes at random.
#   usage: tests/stress/run.sh [path/to/airlock]
# The stress binary is built by make next to the CLI ($(B)/tests/stress).
# Sizes: STRESS_N sandboxes per thread (default 100), SOAK_M sequential runs
# (default 1000); `make soak` runs the full sizes (10,000 and 100,000).
# Last line: "N passed, M failed".
set -u
bin=${1:-build/airlock}
stress=$(dirname "$bin")/tests/stress
if [ ! -x "$stress" ]; then echo "FAIL  $stress not built"; echo "0 passed, 1 failed"; exit 1; fi
n=${STRESS_N:-100}
m=${SOAK_M:-1000}
out=$(mktemp); trap 'rm -f "$out"' EXIT
pass=0; fail=0
tally() { # status; reads $out
    c=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
    if [ -n "$c" ]; then p=${c%% passed*}; f=${c#*passed, }; f=${f%% failed*}; else p=0; f=1; fi
    [ "$1" != 0 ] && [ "$f" = 0 ] && f=1
    pass=$((pass + p)); fail=$((fail + f))
}
start=$(date +%s)
"$stress" threads 8 "$n" >"$out" 2>&1; tally $?
grep -v 'passed, .* failed' "$out"
echo "threads: 8 x $n one-shot sandboxes in $(( $(date +%s) - start )) s"
start=$(date +%s)
"$stress" soak "$m" >"$out" 2>&1; tally $?
grep -v 'passed, .* failed' "$out"
echo "soak: $m runs in $(( $(date +%s) - start )) s"
# The threading contract: exec, interrupt, create and free at random
# moments (`make tsan` runs it 60 s under ThreadSanitizer and ASan).
chaos=$(dirname "$bin")/tests/chaos
"$chaos" 8 "${CHAOS_SECONDS:-5}" >"$out" 2>&1; tally $?
grep -v 'passed, .* failed' "$out"
echo "stress: $pass passed, $fail failed"
[ "$fail" = 0 ]
