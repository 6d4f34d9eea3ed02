#!/bin/sh
# Run the MCP server tests: the raw protocol test (Python, stdlib only) and
# the SDK-driven client test (Node.js, official MCP TypeScript SDK 1.x and
# client 2.x, pinned in package.json / package-lock.json).
#
#   tests/mcp/run.sh [path/to/airlock]      (default: build/airlock)
#
# Installs the npm packages into tests/mcp/node_modules on first use (npm ci
# against the committed lockfile). Exits non-zero if any test fails.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/airlock}
if [ ! -x "$bin" ]; then
    echo "run.sh: no airlock binary at $bin (build it with make, or pass its path)" >&2
    exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

for tool in node npm python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "run.sh: $tool is needed (Debian: apt-get install nodejs npm python3)" >&2
        exit 2
    fi
done

cd "$here"
# npm ci only when the installed tree is missing or older than the lockfile.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi

# Each part prints its own counts; the closing line adds them up in the
# form tests/run.sh reads ("N passed, M failed").
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
echo "== raw protocol ($bin)"
AIRLOCK_BIN=$bin python3 raw_protocol.py 2>&1 | tee "$log" || true
raw_ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$log")
raw_bad=$(grep -cE '^(FAIL|ERROR):' "$log" || true)
grep -qE '^OK' "$log" || status=1
echo "== SDK clients ($bin)"
AIRLOCK_BIN=$bin node --test mcp.test.mjs 2>&1 | tee "$log" || true
sdk_pass=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log")
sdk_fail=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log")
[ "${sdk_fail:-1}" = 0 ] && [ "${sdk_pass:-0}" -gt 0 ] || status=1
passed=$(( ${raw_ran:-0} - ${raw_bad:-0} + ${sdk_pass:-0} ))
failed=$(( ${raw_bad:-0} + ${sdk_fail:-0} ))
[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
echo "$passed passed, $failed failed"
exit $status
