#!/bin/sh
# Run every test suite; the last line is "N passed, M failed, K skipped".
#
#   tests/run.sh UNIT_TEST_BINARIES...     (make test passes them)
#
# AIRLOCK=path/to/airlock selects the CLI under test (default build/airlock).
# Each suite prints its own "N passed, M failed" (or Check's summary),
# followed by ", K skipped" when it skipped tests, and one line
# "skipped: WHAT: WHY" for each thing it skipped; a suite that prints no
# counts is one test, passed when it exits 0. Before the last line comes the
# list of everything skipped, and why.
set -u
cd "$(dirname "$0")/.."
AIRLOCK=${AIRLOCK:-build/airlock}
total_pass=0
total_fail=0
total_skip=0
failed_suites=""
log=$(mktemp)
skips=$(mktemp)
cpython_cli=$(mktemp) # airlock --guest cpython, for suites that take a binary
trap 'rm -f "$log" "$skips" "$cpython_cli"' EXIT

tally() { # name, exit status; reads the suite's output from $log
    name=$1 status=$2
    counts=$(grep -Eo '[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?' "$log" | tail -1)
    checks=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -1)
    if [ -n "$counts" ]; then
        p=${counts%% passed*}; f=${counts#*passed, }; f=${f%% failed*}
    elif [ -n "$checks" ]; then
        n=$(echo "$checks" | sed 's/Checks: \([0-9]*\),.*/\1/')
        f=$(echo "$checks" | sed 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\)/\1 \2/' | awk '{print $1 + $2}')
        p=$((n - f))
    elif [ "$status" = 0 ]; then p=1 f=0
    else p=0 f=1
    fi
    [ "$status" != 0 ] && [ "$f" = 0 ] && f=1
    case $counts in *skipped) s=${counts##*failed, }; s=${s%% skipped} ;; *) s=0 ;; esac
    # a reason given without a count still counts as one skip
    reasons=$(grep -c '^skipped: ' "$log")
    [ "$s" -ge "$reasons" ] || s=$reasons
    grep '^skipped: ' "$log" | sed "s|^skipped: |  $name: |" >>"$skips"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    total_skip=$((total_skip + s))
    if [ "$s" = 0 ]; then printf '%-28s %s passed, %s failed\n' "$name" "$p" "$f"
    else printf '%-28s %s passed, %s failed, %s skipped\n' "$name" "$p" "$f" "$s"; fi
    if [ "$f" != 0 ]; then
        failed_suites="$failed_suites $name"
        tail -30 "$log" | sed 's/^/    /'
    fi
}

# A suite that hangs fails by itself instead of stalling the whole run.
# Shell functions (san, below) run under the same watchdog as commands.
with_timeout() {
    ( "$@" ) &
    pid=$!
    # the watchdog takes its sleep down with it, and holds no output open
    ( trap 'kill "$nap" 2>/dev/null; exit 0' TERM
      sleep "${SUITE_TIMEOUT:-900}" & nap=$!
      wait "$nap" && kill "$pid" 2>/dev/null ) >/dev/null 2>&1 </dev/null &
    watchdog=$!
    wait "$pid"
    status=$?
    kill "$watchdog" 2>/dev/null
    return "$status"
}

# A suite that cannot run here at all: one skip, with its reason.
skip_suite() { # name, why
    total_skip=$((total_skip + 1))
    echo "  $1: $2" >>"$skips"
    printf '%-28s skipped: %s\n' "$1" "$2"
}

suite() { # name, command...
    name=$1; shift
    # A suite that hangs fails by itself instead of stalling the whole run.
    with_timeout "$@" >"$log" 2>&1
    tally "$name" $?
}

# A suite judged by its exit status alone, as one test: the compatibility
# corpus reports how many snippets match CPython, and fails only when that
# rate drops below its committed baseline.
rated_suite() { # name, command...
    name=$1; shift
    # A suite that hangs fails by itself instead of stalling the whole run.
    with_timeout "$@" >"$log" 2>&1
    status=$?
    rate=$(grep -Eo '[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
    grep -v -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" >"$log.tmp"; mv "$log.tmp" "$log"
    tally "$name ($rate match)" "$status"
}

for bin in "$@"; do
    suite "unit/$(basename "$bin")" "$bin"
done
for t in tests/cli/*.sh; do
    [ "$(basename "$t")" = lib.sh ] && continue
    suite "cli/$(basename "$t" .sh)" "$t" "$AIRLOCK"
done
suite "patch" tests/patch/run.sh
BUILD_DIR=$(dirname "$AIRLOCK")
if [ -x "$BUILD_DIR/cpython/run" ]; then
    suite "cpython guest (its runner)" tests/cpython/run.sh "$BUILD_DIR/cpython/run"
    # unit suites written guest-neutral, again on the CPython guest (testutil.h)
    for bin in "$@"; do
        case $(basename "$bin") in test_values | test_rollback) ;; *) continue ;; esac
        suite "unit/$(basename "$bin") (cpython)" env AIRLOCK_TEST_GUEST=cpython "$bin"
    done
    # the CPython-idiom corpus on the CPython guest, CPython as the oracle
    # (its differences: tests/compat/README.md)
    rated_suite "compat (cpython guest)" python3 tests/compat/run.py --runner airlock --guest cpython
else
    skip_suite "cpython guest (its runner)" "this build has no CPython guest (CPYTHON=0)"
fi
suite "differential (vs Node.js)" python3 tests/diff/run.py "$AIRLOCK" --check-exit
# the host's source rewriter against the Python rewriter it replaced (and
# that rewriter in the guest against itself under CPython)
suite "rewrite (C vs Python oracle)" python3 tests/rewrite/run.py --guest "$AIRLOCK" \
    "$BUILD_DIR/tests/rewrite_driver" "$BUILD_DIR/tests/rewrite_driver_san"
rated_suite "compat" python3 tests/compat/run.py --runner airlock
suite "mcp (SDK clients, protocol)" tests/mcp/run.sh "$AIRLOCK"
suite "serve (HTTP, tenants, stores)" tests/serve/run.sh "$AIRLOCK"
# make test SANITIZE=1: the library carries AddressSanitizer. A process that
# did not link its runtime (python3 loading the binding, and whatever the
# install suite runs) must preload it, and a program built against the
# library must be built with the sanitizers too. LeakSanitizer and the
# allocator-mismatch check are off there: CPython does not free everything
# at exit and troff (man) mismatches new[]/delete; neither is airlock, which
# every other suite runs with both on.
san() {
    if nm "$BUILD_DIR/libairlock.a" 2>/dev/null | grep -q ' U __asan_init'; then
        env LD_PRELOAD="$(${CC:-cc} -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0 \
            CC="${CC:-cc} -fsanitize=address,undefined" "$@"
    else
        "$@"
    fi
}
suite "python binding (pytest)" san bindings/python/run_tests.sh "$BUILD_DIR/libairlock.so.0"
suite "python wheel (fresh venv, offline)" san bindings/python/wheel_test.sh "$BUILD_DIR"
suite "install (make install, pkg-config)" san tests/install/run.sh "$BUILD_DIR"
suite "escape corpus (CLI + API)" tests/escape/run.sh "$AIRLOCK"
suite "stress and soak (reduced)" tests/stress/run.sh "$AIRLOCK"
suite "fuzz replay (seeds, regressions)" fuzz/replay.sh "$AIRLOCK"
suite "valgrind (CLI smoke)" tests/valgrind/run.sh "$AIRLOCK"
# The shared five-test protocol lives outside the repository, beside it.
if [ -x ../shared/checks/five-tests.sh ]; then
    suite "five-tests" ../shared/checks/five-tests.sh "$AIRLOCK"
    if [ -x "$BUILD_DIR/cpython/run" ]; then
        printf '#!/bin/sh\nexec "%s" --guest cpython "$@"\n' "$(cd "$BUILD_DIR" && pwd)/$(basename "$AIRLOCK")" >"$cpython_cli"
        chmod +x "$cpython_cli"
        suite "five-tests (cpython guest)" ../shared/checks/five-tests.sh "$cpython_cli"
    fi
else
    skip_suite "five-tests" "../shared/checks/five-tests.sh is not beside this checkout"
fi

if [ -s "$skips" ]; then
    echo "skipped:"
    cat "$skips"
fi
[ -n "$failed_suites" ] && echo "failed suites:$failed_suites"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" = 0 ]
