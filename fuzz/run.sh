#!/bin/sh
# Run libFuzzer harnesses for a bounded time each (make fuzz calls this).
#   usage: fuzz/run.sh BUILD_DIR SECONDS HARNESS...
# Each harness starts from its committed seeds (fuzz/corpus/<harness>/) and
# the inputs that once crashed it (fuzz/regressions/<harness>/); new
# interesting inputs go to BUILD_DIR/corpus/<harness>/ (not committed), a
# crash to BUILD_DIR/artifacts/<harness>/. Prints executions per harness and
# "N passed, M failed" (a harness that found a crash fails).
set -u
b=$1; secs=$2; shift 2
here=$(dirname "$0")
pass=0; fail=0
for h in "$@"; do
    mkdir -p "$b/corpus/$h" "$b/artifacts/$h" "$here/regressions/$h"
    log="$b/fuzz-$h.log"
    # detect_leaks stays on: a leak in the host is a finding too.
    "$b/fuzz/$h" -max_total_time="$secs" -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$b/artifacts/$h/" "$b/corpus/$h" "$here/corpus/$h" "$here/regressions/$h" \
        >"$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    if [ "$status" = 0 ]; then
        pass=$((pass + 1))
        echo "fuzz $h: ${execs:-?} executions in $secs s (${rate:-?}/s), no crash"
    else
        fail=$((fail + 1))
        echo "FAIL  fuzz $h: status $status after ${execs:-?} executions; see $log"
        grep -m1 -E 'ERROR|SUMMARY|runtime error|deadly signal' "$log" | sed 's/^/      /'
        ls "$b/artifacts/$h/" | sed 's/^/      artifact: /'
    fi
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
