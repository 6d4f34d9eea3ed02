#!/usr/bin/env bash
# The OS sandbox around the airlock process (seccomp + Landlock).
#
# The test binary (build/tests/airlock_hooks: the CLI built with
# -DAIRLOCK_TEST_HOOKS) plays a compromised host: right after start-up it
# tries to fork, posix_spawn a shell, connect to a listener this test opens
# on 127.0.0.1, and read a secret file outside the grants. Under the
# sandbox all must fail and leave no trace on the host; with --no-os-sandbox
# the same attempts succeed (so the hook is known to really try). Then the
# things airlock must still do under the filter: plain runs, every grant,
# sessions saved beside their file (also outside the working directory), a
# program file, the MCP server.
#   usage: tests/cli/os_sandbox.sh [path/to/airlock]     (default: build/airlock)
# Last line: "N passed, M failed". Exit 0 only if all pass.
set -u
bin=${1:-build/airlock}
if [ ! -x "$bin" ]; then echo "airlock binary not found: $bin"; exit 1; fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
hooks=$(dirname "$bin")/tests/airlock_hooks

pass=0; fail=0
skipped=0
ok()  { pass=$((pass+1)); printf 'PASS  %s\n' "$1"; }
skip() { skipped=$((skipped+1)); printf 'skipped: %s\n' "$1"; }
bad() { fail=$((fail+1)); printf 'FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '      %s\n' "$2"; }

work=$(mktemp -d); lpid=
trap 'rm -rf "$work"; [ -n "$lpid" ] && kill "$lpid" 2>/dev/null' EXIT
secret="s3cret-$RANDOM$RANDOM"
mkdir -p "$work/rw" "$work/ro" "$work/sessions" "$work/cwd"
echo "$secret" >"$work/secret.txt"
echo "readable" >"$work/ro/a.txt"

status=$("$bin" --verbose -c 'pass' 2>&1 >/dev/null)
case "$status" in
  *"off in sanitizer builds"*) echo "skipped: the whole suite: the OS sandbox is off in sanitizer builds"; echo "0 passed, 0 failed, 1 skipped"; exit 0 ;;
  *"seccomp on"*) ok "--verbose reports the layers: ${status#*: }" ;;
  *) bad "--verbose does not report seccomp on" "$status" ;;
esac

# A listener on loopback that records whether anyone connected.
start_listener() {
  rm -f "$work/port" "$work/conn"
  python3 - "$work/port" "$work/conn" <<'PY' &
import socket, sys
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5); s.settimeout(15)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
try:
    c, _ = s.accept(); open(sys.argv[2], "w").write("connected")
except Exception:
    pass
PY
  lpid=$!
  for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
  port=$(cat "$work/port")
}
stop_listener() { sleep 0.3; kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; lpid=; }

# hook_run FLAGS... : the test binary with every hook armed; stderr in $err
hook_run() {
  rm -f "$work/marker"
  start_listener
  err=$(cd "$work/cwd" && AIRLOCK_TEST_SPAWN_MARKER="$work/marker" AIRLOCK_TEST_CONNECT_PORT="$port" \
        AIRLOCK_TEST_READ_FILE="$work/secret.txt" timeout 20 "$hooks" "$@" 2>&1 >"$work/out"); rc=$?
  stop_listener
}

if [ ! -x "$hooks" ]; then
  bad "test binary missing: $hooks (make $hooks)"
else
  hook_run -c 'print("guest ran")'
  [ "$rc" = 0 ] && grep -qx "guest ran" "$work/out" && ok "hooked run: the guest still runs" || bad "hooked run: rc=$rc" "$err"
  for what in fork spawn; do
    grep -q "test-hook $what: denied (Operation not permitted)" <<<"$err" && ok "host $what after start-up: EPERM" \
      || bad "host $what after start-up not denied" "$err"
  done
  [ ! -e "$work/marker" ] && ok "no process ran (marker absent)" || bad "a process ran: the marker exists"
  grep -q "test-hook connect: denied (Permission denied)" <<<"$err" && ok "host socket after start-up: EACCES" \
    || bad "host socket not denied" "$err"
  [ ! -e "$work/conn" ] && ok "the listener saw no connection" || bad "the listener was reached"
  if grep -q "Landlock ABI [0-9]* on" <<<"$status"; then
    grep -q "test-hook read: denied (Permission denied)" <<<"$err" && ok "host read outside the grants: EACCES (Landlock)" \
      || bad "host read outside the grants not denied" "$err"
  else
    skip "host read outside the grants (Landlock): this kernel has no Landlock ($status)"
  fi

  # The same attempts succeed without the OS sandbox: the hook really tries.
  hook_run --no-os-sandbox -c 'pass'
  if grep -q "test-hook spawn: done" <<<"$err" && [ -e "$work/marker" ] && [ -e "$work/conn" ] &&
     grep -q "test-hook read: done" <<<"$err"; then ok "--no-os-sandbox: the hook spawns, connects and reads"
  else bad "--no-os-sandbox: the hook did not do everything" "$err"; fi

  # The MCP server is confined the same way (the hook runs after its start-up).
  init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
  call='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run_python","arguments":{"code":"print(6*7)"}}}'
  rm -f "$work/marker"; start_listener
  out=$(printf '%s\n%s\n' "$init" "$call" | AIRLOCK_TEST_SPAWN_MARKER="$work/marker" AIRLOCK_TEST_CONNECT_PORT="$port" \
        timeout 20 "$hooks" mcp 2>"$work/err"); stop_listener
  if grep -q '"stdout":"42\\n"' <<<"$out" && grep -q "test-hook spawn: denied" "$work/err" &&
     grep -q "test-hook connect: denied" "$work/err" && [ ! -e "$work/marker" ] && [ ! -e "$work/conn" ]
  then ok "airlock mcp: serves runs; spawn and connect denied"
  else bad "airlock mcp under the hook" "$out $(cat "$work/err")"; fi
fi

# What airlock must still do under the filter (the release binary), with
# each guest it has: the filter is the process's, whatever runs inside.
run() { out=$(cd "$work/cwd" && timeout 20 "$bin" --guest "$guest" "$@" 2>&1); rc=$?; }
under_filter() {
rm -f "$work/sessions/"*
run -c 'print(sum(range(10)))'
[ "$rc" = 0 ] && [ "$out" = 45 ] && ok "plain run" || bad "plain run: rc=$rc" "$out"

run --allow-read "$work/ro" --allow-write "$work/rw" --scratch 1M -c "
import os
print(open('$work/ro/a.txt').read().strip())
os.mkdir('$work/rw/d'); open('$work/rw/d/f', 'w').write('data')
os.rename('$work/rw/d/f', '$work/rw/g')
open('$work/rw/g', 'w').write('da')
print(open('$work/rw/g').read()); os.remove('$work/rw/g'); os.rmdir('$work/rw/d')
open('/tmp/s', 'w').write('x'); print(os.listdir('$work/rw'), open('/tmp/s').read())"
[ "$rc" = 0 ] && [ "$out" = "$(printf 'readable\nda\n[] x')" ] && ok "grants: read, write, mkdir, rename across dirs, overwrite (O_TRUNC), remove, scratch" \
  || bad "grants under the filter: rc=$rc" "$out"

run --mount "$work/rw:/out:rw" -c "open('/out/m.txt', 'w').write('mounted')"
[ "$rc" = 0 ] && [ "$(cat "$work/rw/m.txt" 2>/dev/null)" = mounted ] && ok "--mount rw writes reach the host" || bad "--mount rw: rc=$rc" "$out"
rm -f "$work/rw/m.txt"

# Sessions: saved beside FILE, in a directory that is neither granted nor
# the working directory; loaded again; a relative FILE too.
run --session "$work/sessions/s-$guest.bin" -c 'n = 41'
run --session "$work/sessions/s-$guest.bin" -c 'n += 1; print(n)'
[ "$rc" = 0 ] && [ "$out" = 42 ] && ok "--session in another directory: saved and loaded" || bad "--session: rc=$rc" "$out"
run --session "rel-$guest.bin" -c 'v = 7'
run --session "rel-$guest.bin" -c 'print(v)'
[ "$rc" = 0 ] && [ "$out" = 7 ] && ok "--session relative to the working directory" || bad "--session relative: rc=$rc" "$out"
[ "$(ls "$work/sessions")" = "s-$guest.bin" ] && ok "--session leaves no temporary file" || bad "session directory: $(ls "$work/sessions")"

echo 'print("from a file")' >"$work/prog.py"
run "$work/prog.py"
[ "$rc" = 0 ] && [ "$out" = "from a file" ] && ok "program file" || bad "program file: rc=$rc" "$out"
out=$(echo 'print("from stdin")' | "$bin" --guest "$guest" - 2>&1)
[ "$out" = "from stdin" ] && ok "program on stdin" || bad "program on stdin" "$out"

run --audit "$work/audit.log" --allow-env HOME -c 'import os; print(os.getenv("HOME") is not None)'
[ "$rc" = 0 ] && [ "$out" = True ] && [ -s "$work/audit.log" ] && ok "--audit log written under the filter" || bad "--audit: rc=$rc" "$out"

# The guest's own escape attempts still fail cleanly (Python errors, no crash).
run -c "
import os
try: os.system('true')
except Exception as e: print(type(e).__name__)"
[ "$rc" = 0 ] && ok "guest os.system: a clean Python error" || bad "guest os.system: rc=$rc" "$out"
}
for guest in micropython cpython; do
  if ! "$bin" --guest "$guest" -c pass >/dev/null 2>&1; then
    skip "under the filter, $guest: this airlock was built without it"
    continue
  fi
  before=$pass
  under_filter
  echo "($guest: $((pass - before)) passed under the filter)"
done

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" = 0 ]
