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

status=0
echo "== raw protocol ($bin)"
AIRLOCK_BIN=$bin python3 raw_protocol.py || status=1
echo "== SDK clients ($bin)"
AIRLOCK_BIN=$bin node --test mcp.test.mjs || status=1
exit $status
