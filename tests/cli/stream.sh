#!/bin/sh
# Streamed output: the CLI prints the guest's output as it is written, so a
# long job shows its progress; --json still gives one document at the end.
#   usage: tests/cli/stream.sh path/to/airlock
set -u
AIRLOCK=${1:-build/airlock}
. "$(dirname "$0")/lib.sh"

# The first line must arrive while the job still runs: it sleeps 1.5 s after
# printing it, so the line comes at least 1 s before the process ends
# (real sleeps: a loaded machine only makes the gap longer).
cat >"$TMP/job.py" <<'PY'
import time
for i in range(3):
    print(i)
    time.sleep(0.5)
PY
python3 - "$AIRLOCK" "$TMP/job.py" >"$TMP/timing" 2>&1 <<'PY'
import subprocess, sys, time
p = subprocess.Popen([sys.argv[1], sys.argv[2]], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
first = p.stdout.readline()
t_first = time.monotonic()
rest = p.stdout.read()
p.wait()
t_end = time.monotonic()
print(repr(first), repr(rest), p.returncode, "%.2f" % (t_end - t_first))
PY
read -r first rest rc gap <"$TMP/timing"
if [ "$first" = "b'0\\n'" ] && [ "$rest" = "b'1\\n2\\n'" ] && [ "$rc" = 0 ]; then ok; else bad "streamed job printed $(cat "$TMP/timing")"; fi
if python3 -c "import sys; sys.exit(0 if float('$gap') >= 1.0 else 1)" 2>/dev/null; then ok
else bad "the first line came only ${gap} s before the end: output is not streamed"; fi

# stderr streams too, in order with the traceback after it
expect_status 1 -c "import sys
sys.stderr.write('warn\n')
1/0"
if [ "$(head -1 "$TMP/err")" = "warn" ] && grep -q ZeroDivisionError "$TMP/err"; then ok; else bad "stderr: $(cat "$TMP/err")"; fi

# the output cap still applies to what is streamed
expect_stdout "xxxxxxxxxx" --max-output 10 -c "print('x' * 100)"
if grep -q "dropped" "$TMP/err"; then ok; else bad "no truncation note: $(cat "$TMP/err")"; fi

# a file's tracebacks name the file
printf 'x = 1\nraise ValueError("v")\n' >"$TMP/boom.py"
expect_status 1 "$TMP/boom.py"
if grep -qF "File \"$TMP/boom.py\", line 2" "$TMP/err"; then ok; else bad "traceback: $(cat "$TMP/err")"; fi

# --json: nothing streamed, one document
json_check "print('a')" "d['stdout'] == 'a\\n'"

finish
