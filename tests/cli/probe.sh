#!/usr/bin/env bash
# `airlock probe`: passes with and without grants, and fails when it should:
# a grant that exposes the probe's secret variable, grants that leave no
# place outside them, and (test build only) a secret planted inside a grant.
# It must leave nothing behind in its temporary directory.
#   usage: tests/cli/probe.sh [path/to/airlock]     (default: build/airlock)
# Last line: "N passed, M failed". Exit 0 only if all pass.
set -u
bin=${1:-build/airlock}
if [ ! -x "$bin" ]; then echo "airlock binary not found: $bin"; exit 1; fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
hooks=$(dirname "$bin")/tests/airlock_hooks

pass=0; fail=0
ok()  { pass=$((pass+1)); printf 'PASS  %s\n' "$1"; }
bad() { fail=$((fail+1)); printf 'FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '      %s\n' "$2"; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tmp" "$work/ro" "$work/rw" "$work/other"
echo "readable" >"$work/ro/a.txt"
echo "one file" >"$work/file.txt"

# probe NAME WANT_STATUS FLAGS... : runs with TMPDIR=$work/tmp; output in $out
probe() {
  local name=$1 want=$2; shift 2
  out=$(cd "$work" && TMPDIR="$work/tmp" timeout 60 "${PROBE_BIN:-$bin}" probe "$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ]; then bad "$name" "exit $rc, want $want: $(tail -25 <<<"$out")"; return 1; fi
  if [ -n "$(ls -A "$work/tmp")" ]; then bad "$name" "left behind: $(ls -A "$work/tmp")"; rm -rf "${work:?}/tmp/"*; return 1; fi
  return 0
}
# row PATTERN : the table has a line matching PATTERN (grep -E)
row() { grep -qE -- "$1" <<<"$out"; }

if probe "no grants: exit 0" 0; then
  if row '^PASS +denied +read a file outside every grant' && row '^PASS +denied +connect to 127\.0\.0\.1:' &&
     row '^PASS +hidden +read \$AIRLOCK_PROBE_SECRET' && row '^PASS +denied +start a process' &&
     row '^[0-9]+ passed, 0 failed'; then ok "no grants: the four escapes are tested and denied"
  else bad "no grants: table" "$out"; fi
  # the OS layer is checked when it is in place, skipped with a reason otherwise
  if row '^(PASS|SKIP) +denied +host process: start a program' && row '^(PASS|SKIP) +denied +host process: open a network socket'
  then ok "no grants: host-process rows present"; else bad "no grants: host-process rows" "$out"; fi
fi

export PROBE_TEST_VAR="value-$RANDOM"
if probe "every kind of grant: exit 0" 0 --allow-read "$work/ro" --allow-read "$work/file.txt" --allow-write "$work/rw" \
     --mount "$work/ro:/data" --mount "$work/rw:/out:rw" --scratch 1M --allow-env PROBE_TEST_VAR --allow-env UNSET_$RANDOM; then
  n=$(grep -cE '^PASS +works ' <<<"$out")
  if [ "$n" = 8 ]; then ok "every kind of grant: 8 grants exercised and working"
  else bad "every kind of grant: $n of 8 rows" "$out"; fi
  if [ -z "$(ls -A "$work/rw")" ]; then ok "writable grant: the probe removed what the guest wrote"
  else bad "writable grant: left behind" "$(ls -A "$work/rw")"; fi
fi

# Grants served by plugins: a database (read-only and writable, left
# unchanged) and an origin served by a server this test starts.
python3 -c "
import sqlite3, sys
for f in sys.argv[1:]:
    c = sqlite3.connect(f); c.execute('create table t (x)'); c.execute('insert into t values (1)'); c.commit()
" "$work/ro.db" "$work/rw.db"
sum_db=$(md5sum <"$work/rw.db")
python3 "$(dirname "$0")/serve_dir.py" "$work/ro" "$work/http.port" >"$work/http.log" 2>&1 &
hpid=$!
for _ in $(seq 100); do [ -s "$work/http.port" ] && break; sleep 0.1; done
hport=$(cat "$work/http.port" 2>/dev/null)
if [ -z "$hport" ]; then bad "the test's HTTP server did not start" "$(cat "$work/http.log")"
elif probe "sqlite and net grants: exit 0" 0 --allow-sqlite "$work/ro.db" --allow-sqlite "$work/rw.db:rw" --allow-net "127.0.0.1:$hport"; then
  if row '^PASS +works +--allow-sqlite .*ro\.db +read 1 tables as the host does; writing refused' &&
     row '^PASS +works +--allow-sqlite .*rw\.db:rw +read 1 tables as the host does; a write in a rolled-back' &&
     row "^PASS +works +--allow-net 127\.0\.0\.1:$hport +GET http://127\.0\.0\.1:$hport/: HTTP 200" &&
     row '^PASS +denied +connect to 127\.0\.0\.1:'
  then ok "sqlite and net grants: exercised and working; other ports still refused"
  else bad "sqlite and net grants: rows" "$out"; fi
  [ "$(md5sum <"$work/rw.db")" = "$sum_db" ] && ok "writable database left unchanged" || bad "the probe changed the database"
fi
kill "$hpid" 2>/dev/null; wait "$hpid" 2>/dev/null

# Misconfigurations the probe must catch, in the release binary.
if probe "granting the secret variable: exit 1" 1 --allow-env AIRLOCK_PROBE_SECRET; then
  if row '^FAIL +hidden +read \$AIRLOCK_PROBE_SECRET.*the guest read the secret'; then ok "granting the secret variable: reported"
  else bad "granting the secret variable: row" "$out"; fi
fi
if probe "granting /: exit 1" 1 --allow-read /; then
  if row '^FAIL +denied +read a file outside every grant +no temporary directory outside every grant'
  then ok "granting /: no outside left, reported"; else bad "granting /: row" "$out"; fi
fi
# A grant over $TMPDIR: the probe moves its secret elsewhere and passes.
if probe "granting TMPDIR: exit 0" 0 --allow-read "$work/tmp"; then
  if row '^PASS +denied +read a file outside every grant +open, listdir, stat of /(tmp|var/tmp|dev/shm)/'
  then ok "granting TMPDIR: the secret goes outside it"; else bad "granting TMPDIR: row" "$out"; fi
fi

# Test build only: plant the secret inside a granted directory; the guest
# really reads it and the probe must say so.
if [ -x "$hooks" ]; then
  mkdir -p "$work/exposed"
  export AIRLOCK_TEST_PROBE_BASE="$work/exposed"
  if PROBE_BIN=$hooks probe "secret inside a grant (test hook): exit 1" 1 --allow-read "$work/exposed"; then
    if row '^FAIL +denied +read a file outside every grant +the guest read the secret'
    then ok "secret inside a grant: the leak is caught"; else bad "secret inside a grant: row" "$out"; fi
  fi
  unset AIRLOCK_TEST_PROBE_BASE
  [ -z "$(ls -A "$work/exposed")" ] && ok "secret inside a grant: cleaned up" || bad "secret inside a grant: left behind"
  # The release binary ignores the hook.
  if AIRLOCK_TEST_PROBE_BASE="$work/exposed" probe "release binary ignores the test hook" 0 --allow-read "$work/exposed"; then
    ok "release binary ignores the test hook"
  fi
else
  bad "test binary missing: $hooks (make $hooks)"
fi

if probe "--no-os-sandbox: exit 0" 0 --no-os-sandbox; then
  if row '^SKIP +denied +host process: start a program.*--no-os-sandbox'; then ok "--no-os-sandbox: host rows skipped, said why"
  else bad "--no-os-sandbox: rows" "$out"; fi
fi

for args in "-c 1" "x.py" "--json" "--session $work/s"; do
  # shellcheck disable=SC2086
  if probe "usage error: probe $args" 2 $args; then ok "usage error: probe $args"; fi
done
out=$("$bin" probe --help); rc=$?
if [ "$rc" = 0 ] && grep -q "five-test protocol" <<<"$out"; then ok "probe --help"; else bad "probe --help" "$out"; fi

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
