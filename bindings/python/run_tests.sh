#!/bin/sh
# Run the Python binding's tests with pytest (Debian: python3-pytest).
#
#   bindings/python/run_tests.sh [path/to/libairlock.so.0]
#
# Without an argument the binding finds the library itself (AIRLOCK_LIBRARY,
# an installed libairlock.so.0, then the repository's build/). Prints
# pytest's own summary, one line "skipped: TEST: WHY" per skipped test, then
# "N passed, M failed" (", K skipped" after it when tests were skipped; they
# are counted in neither of the first two). Exits non-zero on
# any failure, and also when pytest collects or runs no tests at all.
set -u
here=$(cd "$(dirname "$0")" && pwd)
if [ $# -ge 1 ]; then
    if [ ! -e "$1" ]; then
        echo "run_tests.sh: no such library: $1" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
    AIRLOCK_LIBRARY=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
    export AIRLOCK_LIBRARY
fi

# The first Python that has pytest: $PYTHON, python3, then Debian's own.
py=
for cand in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$cand" -c 'import pytest' >/dev/null 2>&1; then py=$cand; break; fi
done
if [ -z "$py" ]; then
    echo "run_tests.sh: pytest not found (install python3-pytest)" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
PYTHONDONTWRITEBYTECODE=1 "$py" -m pytest -p no:cacheprovider -rfEs "$here/tests" >"$log" 2>&1
status=$?
cat "$log"

summary=$(grep -E '^=+ .*(passed|failed|error|skipped|no tests ran).* =+$' "$log" | tail -1)
count() { echo "$summary" | grep -Eo "[0-9]+ $1" | grep -Eo '^[0-9]+' || echo 0; }
passed=$(count passed)
failed=$(( $(count failed) + $(count 'errors?') ))
skipped=$(count skipped)

case $status in
0) ;;
1) [ "$failed" -gt 0 ] || failed=1 ;;
5) echo "run_tests.sh: pytest collected no tests (exit 5): that is a failure" >&2; failed=$((failed + 1)) ;;
*) echo "run_tests.sh: pytest exited with status $status" >&2; failed=$((failed + 1)) ;;
esac
if [ "$status" = 0 ] && [ "$passed" = 0 ]; then
    echo "run_tests.sh: no test passed: that is a failure" >&2
    failed=1
fi
if [ "$skipped" != 0 ]; then
    sed -n 's/^SKIPPED \[[0-9]*\] /skipped: /p' "$log"
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" = 0 ]
