#!/usr/bin/env bash
# bench/serve.sh - load benchmark of `airlock serve` on loopback (make bench-serve).
#
#   bench/serve.sh [path/to/airlock]     (default build/airlock)
#
# wrk (Debian) drives each scenario for BENCH_SECONDS (default 8) on
# 127.0.0.1 only; every server, Redis and haproxy started here is stopped
# here, by its pid. Prints one table (throughput, p50, p99) and the targets
# of issue 15. Environment: BENCH_SECONDS, BENCH_CONNECTIONS (default 16).
set -euo pipefail
cd "$(dirname "$0")/.."
AIRLOCK=$(readlink -f "${1:-build/airlock}")
SECS=${BENCH_SECONDS:-8}
CONNS=${BENCH_CONNECTIONS:-16}
CORES=$(nproc)
for tool in wrk redis-server haproxy curl; do
    command -v "$tool" >/dev/null || { echo "bench/serve.sh: $tool is needed (tools/deps.sh installs it)" >&2; exit 2; }
done
T=$(mktemp -d)
PIDS=()
cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$T"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/healthz" && return 0; sleep 0.05; done; return 1; }

start_serve() { # port store [flags...]; sets nothing, appends the pid
    local port=$1 store=$2; shift 2
    "$AIRLOCK" serve --listen "127.0.0.1:$port" --store "$store" --timeout 10 "$@" >"$T/serve-$port.log" 2>&1 &
    PIDS+=($!)
    wait_port "$port" || { cat "$T/serve-$port.log" >&2; exit 1; }
}

# wrk scripts: a stateless exec, a session exec (one session per connection,
# so that no two requests of one session overlap), and an MCP tools/call.
cat >"$T/exec.lua" <<'EOF'
wrk.method = "POST"
wrk.body = '{"code": "print(1+1)"}'
wrk.headers["Content-Type"] = "application/json"
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
function delay() return pause end
EOF
cat >"$T/session.lua" <<'EOF'
local counter = 0
function setup(thread) counter = counter + 1; thread:set("tid", counter) end
function init(args) n = 0 end
function request()
    n = n + 1
    -- wrk keeps one request in flight per connection; name the session by
    -- thread and connection slot so that requests of one session never overlap
    local body = string.format('{"code": "x = globals().get(\\"x\\", 0) + 1", "session": "bench-%d-%d"}', tid, n % 8)
    return wrk.format("POST", "/v1/exec", {["Content-Type"] = "application/json"}, body)
end
EOF
cat >"$T/mcp.lua" <<'EOF'
wrk.method = "POST"
wrk.path = "/mcp"
wrk.body = '{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "run_python", "arguments": {"code": "print(1+1)"}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
EOF

ROWS=$T/rows
: >"$ROWS"
# run NAME URL SCRIPT CONNECTIONS [THREADS]: one wrk run, one row (rate p50 p99 errors)
run() {
    local name=$1 url=$2 script=$3 conns=$4 threads=${5:-2}
    wrk -t"$threads" -c"$conns" -d"${SECS}s" --latency -s "$script" "$url" >"$T/wrk.out" 2>&1
    python3 - "$name" "$T/wrk.out" >>"$ROWS" <<'EOF'
import re, sys
name, text = sys.argv[1], open(sys.argv[2]).read()
def ms(label):
    m = re.search(r"^\s+%s%%\s+([\d.]+)(us|ms|s)\s*$" % label, text, re.M)
    if not m: return float("nan")
    v, unit = float(m.group(1)), m.group(2)
    return v / 1000 if unit == "us" else v * 1000 if unit == "s" else v
rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errs = re.search(r"Socket errors: (.*)", text)
print("%s\t%.0f\t%.2f\t%.2f\t%s" % (name, float(rate.group(1)) if rate else 0, ms("50"), ms("99"),
      (bad.group(1) if bad else "0") + (" socket: " + errs.group(1) if errs else "")))
EOF
}

echo "bench/serve.sh: $CORES cores, ${SECS} s per run, $CONNS connections" >&2
P1=$(free_port)
start_serve "$P1" "sqlite:$T/one.db"
run "stateless print(1+1), JSON API, 1 instance" "http://127.0.0.1:$P1/v1/exec" "$T/exec.lua" "$CONNS"
full=$(tail -1 "$ROWS" | cut -f2)
# Half the rate: each connection pauses between requests so that the offered
# load is about half of the closed-loop throughput just measured.
delay=$(python3 -c "print(max(1, round($CONNS * 1000 / ($full / 2))))")
BENCH_DELAY_MS=$delay run "stateless at about half that rate" "http://127.0.0.1:$P1/v1/exec" "$T/exec.lua" "$CONNS"
run "session exec (load, run, store), SQLite" "http://127.0.0.1:$P1/v1/exec" "$T/session.lua" 2 2
run "MCP tools/call over HTTP" "http://127.0.0.1:$P1/mcp" "$T/mcp.lua" "$CONNS"

RP=$(free_port)
redis-server --port "$RP" --bind 127.0.0.1 --save "" --appendonly no --dir "$T" >"$T/redis.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do redis-cli -p "$RP" ping >/dev/null 2>&1 && break; sleep 0.05; done
P2=$(free_port) P3=$(free_port)
start_serve "$P2" "redis://127.0.0.1:$RP" --workers "$(( CORES / 2 > 0 ? CORES / 2 : 1 ))"
start_serve "$P3" "redis://127.0.0.1:$RP" --workers "$(( CORES / 2 > 0 ? CORES / 2 : 1 ))"
run "session exec (load, run, store), Redis" "http://127.0.0.1:$P2/v1/exec" "$T/session.lua" 2 2

LB=$(free_port) LB1=$(free_port)
haproxy_cfg() { # port servers...
    local port=$1; shift
    printf 'global\n    maxconn 512\ndefaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n'
    printf 'frontend f\n    bind 127.0.0.1:%s\n    default_backend b\nbackend b\n    balance roundrobin\n' "$port"
    for s in "$@"; do printf '    server s%s 127.0.0.1:%s\n' "$s" "$s"; done
}
haproxy_cfg "$LB1" "$P2" >"$T/lb1.cfg"
haproxy_cfg "$LB" "$P2" "$P3" >"$T/lb2.cfg"
haproxy -f "$T/lb1.cfg" -db >"$T/lb1.log" 2>&1 & PIDS+=($!)
haproxy -f "$T/lb2.cfg" -db >"$T/lb2.log" 2>&1 & PIDS+=($!)
sleep 0.5
run "stateless, 1 instance behind haproxy" "http://127.0.0.1:$LB1/v1/exec" "$T/exec.lua" "$CONNS"
run "stateless, 2 instances behind haproxy" "http://127.0.0.1:$LB/v1/exec" "$T/exec.lua" "$CONNS"

python3 - "$ROWS" "$CORES" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
cores = int(sys.argv[2])
print("\nairlock serve on loopback (wrk; closed loop unless stated)")
print("  %-48s %10s %9s %9s  %s" % ("scenario", "req/s", "p50 ms", "p99 ms", "non-2xx"))
for name, rate, p50, p99, bad in rows:
    print("  %-48s %10s %9s %9s  %s" % (name, rate, p50, p99, bad))
r = {row[0]: row for row in rows}
def val(name, i): return float(r[name][i])
stateless = val("stateless print(1+1), JSON API, 1 instance", 1)
half = r["stateless at about half that rate"]
print("\nTargets (issue 15)")
def target(ok, what, got):
    print("  %s #15  %-52s %s" % ("PASS" if ok else "MISS", what, got))
target(stateless >= 2000, "stateless >= 2,000 execs/s per instance", "%.0f/s" % stateless)
target(float(half[3]) <= 10, "p99 <= 10 ms at half that rate", "p99 %s ms at %s/s" % (half[3], half[1]))
for store in ("SQLite", "Redis"):
    row = r["session exec (load, run, store), %s" % store]
    target(float(row[2]) <= 5, "session exec p50 <= 5 ms, %s" % store, "p50 %s ms" % row[2])
one, two = val("stateless, 1 instance behind haproxy", 1), val("stateless, 2 instances behind haproxy", 1)
ratio = two / one if one else 0
note = "" if cores >= 4 else " (this machine has %d cores: both instances share them, so this cannot show scale-out)" % cores
target(ratio >= 1.6, "2 instances >= 1.6x one (each with its own cores)", "%.2fx%s" % (ratio, note))
EOF
