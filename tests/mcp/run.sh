#!/bin/sh
# Run the MCP server tests: the raw protocol test (Python, stdlib only) and
# the SDK-driven client test (Node.js, official MCP TypeScript SDK 1.x and
# client 2.x, pinned in package.json / package-lock.json; the 2.x client
# needs Node.js 20, which npm ci brings where the system's is older).
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
# form tests/run.sh reads ("N passed, M failed", then ", K skipped" and one
# "skipped: WHAT: WHY" line each when tests were skipped).
log=$(mktemp)
skips=$(mktemp)
trap 'rm -f "$log" "$skips"' EXIT
status=0
echo "== raw protocol ($bin)"
AIRLOCK_BIN=$bin python3 raw_protocol.py 2>&1 | tee "$log" || true
raw_ran=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$log")
raw_bad=$(grep -cE '^(FAIL|ERROR):' "$log" || true)
grep -qE '^OK' "$log" || status=1
# node --test under NODE (the SDK generation CLIENTS: sdk1, client2, or all
# when empty); adds its counts and skip reasons to the totals.
sdk_pass=0 sdk_fail=0
sdk_tests() { # NODE CLIENTS
    echo "== SDK clients ${2:-sdk1, client2} under Node.js $("$1" --version) ($bin)"
    AIRLOCK_BIN=$bin AIRLOCK_MCP_CLIENTS=$2 "$1" --test mcp.test.mjs 2>&1 | tee "$log" || true
    p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$log")
    f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$log")
    [ "${f:-1}" = 0 ] && [ "${p:-0}" -gt 0 ] || status=1
    sdk_pass=$((sdk_pass + ${p:-0})) sdk_fail=$((sdk_fail + ${f:-0}))
    # TAP: "ok 2 - airlock mcp with client2-legacy # SKIP needs Node.js 20 or newer"
    # (one line per skipped test or group; node 18 counts skipped groups as 0)
    sed -n 's/^ *ok [0-9]* - \(.*\) # SKIP \(.*\)$/skipped: \1: \2/p' "$log" >>"$skips"
}
# The 2.x client needs Node.js 20. Where the system's is older (Debian 12's
# is 18), the 1.x SDK still runs under it and the 2.x client runs under the
# Node.js of the lockfile's optional node-linux-* package (npm ci installs
# the one for this machine); without either it is reported as skipped.
newer_node=$(ls node_modules/node-linux-*/bin/node 2>/dev/null | head -1)
if [ "$(node -p 'process.versions.node.split(".")[0]')" -ge 20 ] || [ -z "$newer_node" ]; then
    sdk_tests node ""
else
    sdk_tests node sdk1
    sdk_tests "$here/$newer_node" client2
fi
cat "$skips"
sdk_skip=$(wc -l <"$skips")
passed=$(( ${raw_ran:-0} - ${raw_bad:-0} + sdk_pass ))
failed=$(( ${raw_bad:-0} + sdk_fail ))
[ "$status" = 0 ] || [ "$failed" -gt 0 ] || failed=1
if [ "$sdk_skip" = 0 ]; then echo "$passed passed, $failed failed"
else echo "$passed passed, $failed failed, $sdk_skip skipped"; fi
exit $status
