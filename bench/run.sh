#!/usr/bin/env bash
# bench/run.sh - airlock against the alternatives, side by side, in one run.
#
#   bench/run.sh            (what `make bench` calls)
#
# Installs what it needs (Debian: hyperfine, bubblewrap, nodejs, npm;
# npm: pyodide into bench/node_modules, versions pinned by
# bench/package-lock.json), builds airlock and an unmetered variant in their
# own build directories, measures everything, and prints one table plus the
# targets of issues 2, 3, 8 and 14. See bench/README.md for what each figure is.
#
# Environment:
#   BENCH_B=DIR          airlock build directory (default build-bench)
#   BENCH_NOFUEL_B=DIR   unmetered build directory (default $BENCH_B-nofuel)
#   BENCH_OUT=DIR        raw results (default $BENCH_B/bench-results)
#   BENCH_PYTHON=PATH    CPython to compare with (default /usr/bin/python3)
#   BENCH_QUICK=1        fewer repetitions (a smoke test, not for publishing)
#   BENCH_SKIP_PYODIDE=1 leave Pyodide out (its rows then say so)
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
B=${BENCH_B:-build-bench}
NF=${BENCH_NOFUEL_B:-$B-nofuel}
OUT=${BENCH_OUT:-$B/bench-results}
QUICK=${BENCH_QUICK:-0}
JOBS=${BENCH_JOBS:-2}

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
started=$(date +%s)

# ---- 1. tools from Debian ------------------------------------------------------

need=()
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v node >/dev/null || need+=(nodejs)
command -v npm >/dev/null || need+=(npm)
command -v cc >/dev/null || need+=(gcc)
[ -x /usr/bin/python3 ] || command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing ${need[*]} (apt-get)"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    else
        die "missing ${need[*]}: install them (Debian: apt-get install ${need[*]}) or run as root"
    fi
fi
PY=${BENCH_PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=$(command -v python3)

# ---- 2. Pyodide from npm (pinned by package-lock.json) ------------------------

PYODIDE=bench/node_modules/pyodide/pyodide.mjs
if [ "${BENCH_SKIP_PYODIDE:-0}" != 1 ] && [ ! -f "$PYODIDE" -o bench/package-lock.json -nt "$PYODIDE" ]; then
    log "installing pyodide into bench/node_modules (npm ci)"
    (cd bench && npm ci --silent --no-audit --no-fund) || log "npm ci failed: the Pyodide rows will say so"
    [ -f "$PYODIDE" ] && touch "$PYODIDE"
fi

# ---- 3. build: airlock, and the same with fuel metering left out ---------------

PATCH_SRCS=$(ls guests/patch/*.c)
# The top-level Makefile's guest rule wants $(B)/tools/airlock-patch, but
# guests/patch/patch.mk only knows how to build build/tools/airlock-patch; build
# it here (same sources and flags) so that B=$B works.
build_patch_tool() { # DIR
    local tool=$1/tools/airlock-patch
    if [ ! -x "$tool" ] || [ -n "$(find guests/patch -newer "$tool" 2>/dev/null)" ]; then
        mkdir -p "$1/tools"
        cc -O2 -g -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$tool" $PATCH_SRCS -lbinaryen
    fi
}

# The unmetered variant: the Makefile's guest steps with `airlock-patch
# --no-fuel`, then the Makefile builds the rest into $NF from that patched
# module. patched.wasm is made before make runs, newer than its inputs, so
# make keeps it.
prepare_nofuel() {
    build_patch_tool "$NF"
    if [ ! -f "$NF/guest/micropython.wasm" ]; then
        GUEST_WASM="$B/guest/micropython.wasm" guests/fetch.sh "$NF/guest"
    fi
    if [ ! -f "$NF/guest/patched.wasm" ] || [ "$NF/guest/patched.wasm" -ot "$NF/tools/airlock-patch" ] ||
       [ "$NF/guest/patched.wasm" -ot "$NF/guest/micropython.wasm" ] ||
       ! grep -q 'AIRLOCK_FUEL_METERED 0' "$NF/guest/layout.h" 2>/dev/null; then
        "$NF/tools/airlock-patch" "$NF/guest/micropython.wasm" "$NF/guest/patched.wasm" "$NF/guest/layout.h" --no-fuel
    fi
}

log "building $B (make B=$B) and the unmetered variant $NF"
build_patch_tool "$B"
make --no-print-directory B="$B" "$B/guest/micropython.wasm" >/dev/null
prepare_nofuel
mkdir -p "$OUT"
rm -f "$OUT"/*.json "$OUT"/results.tsv
( make --no-print-directory B="$B" -j"$JOBS" all >"$OUT/build.log" 2>&1 ) &
p1=$!
( make --no-print-directory B="$NF" -j"$JOBS" "$NF/libairlock.a" >"$OUT/build-nofuel.log" 2>&1 ) &
p2=$!
wait $p1 || { tail -20 "$OUT/build.log"; die "make B=$B failed (log: $OUT/build.log)"; }
wait $p2 || { tail -20 "$OUT/build-nofuel.log"; die "make B=$NF failed (log: $OUT/build-nofuel.log)"; }
grep -q 'AIRLOCK_FUEL_METERED 0' "$NF/guest/layout.h" || die "$NF is not an unmetered build"
grep -q 'AIRLOCK_FUEL_METERED 1' "$B/guest/layout.h" || die "$B is not a metered build"

HARNESS_CFLAGS=(-std=c17 -O2 -g -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc)
read -r -a LIBS <<<"$(make -s print-ldlibs)"
cc "${HARNESS_CFLAGS[@]}" bench/harness.c "$B/libairlock.a" "${LIBS[@]}" -o "$B/harness"
cc "${HARNESS_CFLAGS[@]}" bench/harness.c "$NF/libairlock.a" "${LIBS[@]}" -o "$NF/harness"
MPJS=$B/guest/package/micropython.mjs
[ -f "$MPJS" ] || die "$MPJS missing (guests/fetch.sh makes it)"
log "built in $(( $(date +%s) - started )) s"

# ---- 4. measure ------------------------------------------------------------------

R=$OUT/results.tsv
: >"$R"
note() { printf 'N\t%s\t%s\t%s\n' "$1" "$2" "$3" >>"$R"; }
fact() { printf 'M\t%s\t%s\n' "$1" "$2" >>"$R"; }
W=bench/workloads
if [ "$QUICK" = 1 ]; then
    REPS=3 NEW_REPS=200 FRESH_REPS=5 COLD_RUNS=5 MAXS=5 IDLE=20 ROUNDS=2 ROUND_REPS=2
else
    REPS=10 NEW_REPS=2000 FRESH_REPS=30 COLD_RUNS=30 MAXS=15 IDLE=100 ROUNDS=6 ROUND_REPS=4
fi
# Run one anchor; its failure becomes a note instead of ending the run.
anchor() { # IMPL METRIC-FOR-NOTE COMMAND...
    local impl=$1 metric=$2; shift 2
    local err=$OUT/$impl.err
    if ! "$@" >>"$R" 2>"$err"; then
        note "$impl" "$metric" "failed: $(grep -v '^harness: .*fuel_used' "$err" | tail -1 | cut -c1-100)"
        log "$impl failed: see $err"
    fi
}

fact date "$(date -u '+%Y-%m-%d %H:%M UTC')"
fact machine "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Linux $(uname -r)"
fact load "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine inflates wall times)"
fact versions "$("$PY" -c 'import platform; print("CPython", platform.python_version())') ($PY), node $(node --version), pyodide $(sed -n 's/.*"version": "\(.*\)".*/\1/p' bench/node_modules/pyodide/package.json 2>/dev/null | head -1), MicroPython $(sed -n 's/^micropython_version=//p' guests/micropython/guest.lock), $(hyperfine --version), $(cc --version | head -1)"

log "airlock in-process (C harness)"
anchor airlock new "$B/harness" --reps "$NEW_REPS" --max-seconds "$MAXS" new new-exec exec exec-print exec-small
anchor airlock session_cli "$B/harness" --reps "$COLD_RUNS" --max-seconds "$MAXS" session-cli "$B/airlock"
# issue 14: json.loads scaling (8 KB, 64 KB, 1 MB) and dicts of patterned int keys
anchor airlock json_loads "$B/harness" --reps "$REPS" --max-seconds "$MAXS" \
    workload $W/json_loads_8k.py workload $W/json_loads_64k.py \
    workload $W/dict_consecutive.py workload $W/dict_random.py workload $W/dict_str.py
anchor airlock json_loads_1m "$B/harness" --reps 3 --warmup 0 --min-reps 1 --max-seconds "$MAXS" \
    workload $W/json_loads_1m.py
anchor airlock idle100 "$B/harness" idle "$IDLE"
anchor airlock hostcall "$B/harness" --reps "$REPS" --max-seconds "$MAXS" hostcall
# The source rewriter (airlock's own code, on the host, so airlock only) on
# agent-style sources of three sizes and on one it has nothing to do for:
# one source each, made by python3 from the template.
for spec in agent:5000:5k agent:50000:50k agent:250000:250k plain:50000:none50k; do
    IFS=: read -r kind size tag <<<"$spec"
    sed -e "s/@KIND@/$kind/" -e "s/@SIZE@/$size/g" $W/rewrite.py.in | python3 - >"$OUT/rewrite_$tag.py"
done
anchor airlock rewrite "$B/harness" --reps "$REPS" --max-seconds "$MAXS" rewrite "$OUT/rewrite_5k.py" \
    rewrite "$OUT/rewrite_50k.py" rewrite "$OUT/rewrite_250k.py" rewrite "$OUT/rewrite_none50k.py"

log "airlock against CPython, alternating rounds (the ratio targets)"
# The same machine runs these workloads up to 1.7x faster or slower from one
# minute to the next (a shared VM), so airlock and CPython are measured in
# alternating rounds and their samples pooled: both medians then come from
# the same stretch of time. json takes about a second per run here (see
# README): one run per round, no warm-up.
CB=("$PY" bench/cpython_bench.py)
RATIO=(workload $W/fib.py workload $W/loop.py workload $W/str.py workload $W/collatz.py)
for round in $(seq "$ROUNDS"); do
    anchor airlock fib "$B/harness" --reps "$ROUND_REPS" --min-reps 1 --max-seconds "$MAXS" "${RATIO[@]}"
    anchor cpython fib "${CB[@]}" --reps "$ROUND_REPS" --min-reps 1 --max-seconds "$MAXS" "${RATIO[@]}"
    anchor airlock json "$B/harness" --reps 1 --warmup 0 --min-reps 1 workload $W/json.py
    anchor cpython json "${CB[@]}" --reps 1 --warmup 0 --min-reps 1 workload $W/json.py
done

log "airlock's CPython guest in-process (bench/cpython_guest.c)"
if make --no-print-directory B="$B" -j"$JOBS" cpython >"$OUT/build-cpython.log" 2>&1 &&
        cc "${HARNESS_CFLAGS[@]}" -Isrc -I"$B/guest" -I"$B/cpython/gen" -Ibench bench/cpython_guest.c \
            "$B/cpython/libairlock_cpython.a" "$B/libairlock.a" "${LIBS[@]}" -o "$B/cpython_guest"; then
    CG=("$B/cpython_guest" --impl airlock-cpython)
    anchor airlock-cpython fresh "${CG[@]}" --reps "$NEW_REPS" --max-seconds "$MAXS" fresh fresh-exec \
        sandbox sandbox-exec
    anchor airlock-cpython fib "${CG[@]}" --reps "$REPS" --max-seconds "$MAXS" \
        workload $W/fib.py workload $W/json.py workload $W/str.py
    anchor airlock-cpython hostcall "$B/harness" --guest cpython --impl airlock-cpython --reps "$REPS" \
        --max-seconds "$MAXS" hostcall
    anchor airlock-cpython idle100 "$B/harness" --guest cpython --impl airlock-cpython idle "$IDLE"
else
    for m in fresh fresh_exec sandbox sandbox_exec fib json str hostcall idle100; do note airlock-cpython $m "build failed ($OUT/build-cpython.log)"; done
fi

log "fuel overhead: metered and unmetered builds, interleaved"
for round in 1 2 3 4 5 6; do
    anchor airlock-fuel fib "$B/harness" --impl airlock-fuel --reps 2 --min-reps 1 --max-seconds "$MAXS" workload $W/fib.py
    anchor airlock-nofuel fib "$NF/harness" --impl airlock-nofuel --reps 2 --min-reps 1 --max-seconds "$MAXS" workload $W/fib.py
done

log "Node + micropython.mjs in-process"
NB=(node --expose-gc bench/node_bench.mjs)
anchor node-micropython fresh "${NB[@]}" --impl micropython --module "$MPJS" --reps "$FRESH_REPS" fresh
anchor node-micropython fib "${NB[@]}" --impl micropython --module "$MPJS" --reps "$REPS" --max-seconds "$MAXS" \
    workload $W/fib.py workload $W/loop.py workload $W/str.py workload $W/collatz.py \
    workload $W/dict_consecutive.py workload $W/dict_random.py workload $W/dict_str.py
anchor node-micropython json "${NB[@]}" --impl micropython --module "$MPJS" --reps 3 --warmup 0 --min-reps 1 \
    --max-seconds "$MAXS" \
    workload $W/json.py
anchor node-micropython idle100 "${NB[@]}" --impl micropython --module "$MPJS" idle "$IDLE"

log "CPython in-process"
anchor cpython subinterp "${CB[@]}" --reps 50 --max-seconds "$MAXS" subinterp
anchor cpython dict_exec "${CB[@]}" --reps "$NEW_REPS" --max-seconds "$MAXS" dict-exec
anchor cpython json_loads "${CB[@]}" --reps "$REPS" --max-seconds "$MAXS" \
    workload $W/json_loads_8k.py workload $W/json_loads_64k.py workload $W/json_loads_1m.py \
    workload $W/dict_consecutive.py workload $W/dict_random.py workload $W/dict_str.py
anchor cpython idle100 "${CB[@]}" idle "$IDLE"

log "cold processes (hyperfine)"
HF=(hyperfine -N --style none)
cold() { # IMPL RUNS WARMUP COMMAND
    if ! "${HF[@]}" --runs "$2" --warmup "$3" --export-json "$OUT/cold-$1.json" -- "$4" \
            >"$OUT/cold-$1.log" 2>&1; then
        note "$1" cold "failed: $(grep -iv warning "$OUT/cold-$1.log" | tail -1 | cut -c1-100)"
        rm -f "$OUT/cold-$1.json"
    fi
}
PRINT="'print(1+1)'"
cold airlock "$COLD_RUNS" 3 "$B/airlock -c $PRINT"
cold airlock-cpython "$COLD_RUNS" 3 "$B/airlock --guest cpython -c $PRINT"
cold python3 "$COLD_RUNS" 3 "$PY -c $PRINT"
cold node-micropython "$(( COLD_RUNS / 3 > 3 ? COLD_RUNS / 3 : 3 ))" 1 \
    "node bench/node_bench.mjs --impl micropython --module $MPJS cold"
BWRAP="bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-all --die-with-parent"
if out=$($BWRAP "$PY" -c 'print(1+1)' 2>&1) && [ "$out" = 2 ]; then
    cold bwrap "$COLD_RUNS" 3 "$BWRAP $PY -c $PRINT"
else
    note bwrap cold "cannot run here: $(printf '%s' "$out" | tail -1 | cut -c1-90)"
fi

log "airlock --timeout 1 on an infinite loop"
"${HF[@]}" -i --runs 3 --warmup 0 --export-json "$OUT/timeout.json" -- \
    "$B/airlock --timeout 1 -c 'while True: pass'" >"$OUT/timeout.log" 2>&1 || note airlock timeout "hyperfine failed"

if [ "${BENCH_SKIP_PYODIDE:-0}" = 1 ]; then
    for m in cold fresh_kept fib loop json str idle3; do note node-pyodide $m "skipped (BENCH_SKIP_PYODIDE=1)"; done
elif [ ! -f "$PYODIDE" ]; then
    for m in cold fresh_kept fib loop json str idle3; do note node-pyodide $m "not installed (npm ci failed)"; done
else
    log "Node + Pyodide (slow: every instance takes seconds)"
    anchor node-pyodide fresh_kept "${NB[@]}" --impl pyodide --module "$PYODIDE" idle 3
    for m in fresh_kept idle3; do grep -q "^S	node-pyodide	$m	" "$R" || note node-pyodide $m "failed"; done
    anchor node-pyodide fib "${NB[@]}" --impl pyodide --module "$PYODIDE" --reps "$(( REPS / 2 > 3 ? REPS / 2 : 3 ))" \
        --max-seconds "$MAXS" workload $W/fib.py workload $W/loop.py workload $W/json.py workload $W/str.py
    cold node-pyodide 3 0 "node bench/node_bench.mjs --impl pyodide --module $PYODIDE cold"
fi

fact load_end "load average at end: $(cut -d' ' -f1-3 /proc/loadavg); whole run $(( $(date +%s) - started )) s"
echo
"$PY" bench/report.py "$OUT"
