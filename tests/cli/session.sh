#!/bin/sh
# airlock --session FILE: state across processes, atomic saves, bad files.
#   tests/cli/session.sh [path/to/airlock]
set -u
AIRLOCK=${1:-build/airlock}
. "$(dirname "$0")/lib.sh"

S="$TMP/s.bin"
expect_status 0 --session "$S" -c 'x = 41'
expect_stdout "42" --session "$S" -c 'print(x + 1)'
cp "$S" "$TMP/before"
# a failed run leaves the file exactly as it was
expect_status 1 --session "$S" -c 'x = 0
raise ValueError("no")'
if cmp -s "$S" "$TMP/before"; then ok; else bad "a failed run changed the session file"; fi
expect_status 3 --session "$S" --timeout 0.2 -c 'x = 0
while True: pass'
if cmp -s "$S" "$TMP/before"; then ok; else bad "a stopped run changed the session file"; fi
expect_stdout "41" --session "$S" -c 'print(x)'
# no temporary files are left behind
if [ "$(ls "$TMP" | grep -c 'tmp')" = 0 ]; then ok; else bad "temporary files left: $(ls "$TMP")"; fi
# damaged and foreign files are refused with a message, exit 2
head -c 500 "$S" > "$TMP/cut.bin"
expect_status 2 --session "$TMP/cut.bin" -c 'print(x)'
expect_stderr_has "truncated" --session "$TMP/cut.bin" -c 'print(x)'
echo "not a session" > "$TMP/text.bin"
expect_status 2 --session "$TMP/text.bin" -c 'print(1)'
if [ "$(cat "$TMP/text.bin")" = "not a session" ]; then ok; else bad "a refused file was overwritten"; fi

finish
