#!/bin/sh
# --audit FILE covers files too: every operation under a grant (open with
# its mode, list, stat, create, remove, rename, mkdir, rmdir) and every
# refusal of a path is one JSON line with the fields of host-call records,
# and no file's contents ever appear in the log.
#   tests/cli/audit.sh [path/to/airlock]
set -u
AIRLOCK=${1:-build/airlock}
. "$(dirname "$0")/lib.sh"

secret="s3cret-contents-$$"
mkdir -p "$TMP/ro" "$TMP/rw"
echo "$secret" >"$TMP/ro/in.txt"
echo "$secret" >"$TMP/outside.txt"
run_airlock --audit "$TMP/audit.log" --allow-read "$TMP/ro" --allow-write "$TMP/rw" -c "
import os
print(open('$TMP/ro/in.txt').read().strip() == '$secret')
print(sorted(os.listdir('$TMP/ro')))
os.stat('$TMP/ro/in.txt')
with open('$TMP/rw/new.txt', 'w') as f:
    f.write('$secret')
open('$TMP/rw/new.txt', 'a').close()
os.mkdir('$TMP/rw/d')
os.rename('$TMP/rw/new.txt', '$TMP/rw/d/moved.txt')
os.remove('$TMP/rw/d/moved.txt')
os.rmdir('$TMP/rw/d')
for attempt in (lambda: open('$TMP/outside.txt'), lambda: open('/etc/passwd'),
                lambda: open('$TMP/ro/in.txt', 'w'), lambda: os.remove('$TMP/ro/in.txt'),
                lambda: os.listdir('/etc'), lambda: open('$TMP/ro/missing.txt')):
    try:
        attempt()
    except OSError as e:
        print('refused', e.args[0])
"
if [ "$(cat "$TMP/rc")" = 0 ]; then ok; else bad "the audited run failed: $(head -c 400 "$TMP/err")"; fi
if python3 - "$TMP/audit.log" "$TMP" "$secret" <<'EOF'
import json, sys
log, tmp, secret = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(log).read()
assert secret not in text, 'file contents in the audit log'
recs = [json.loads(l) for l in text.splitlines()]
fields = ['time', 'plugin', 'module', 'function', 'decision', 'reason', 'error', 'bytes_in', 'bytes_out',
          'duration_ms']
for r in recs:
    assert list(r) == fields, r
    assert r['plugin'] == 'files', r
got = [(r['function'], r['module'].replace(tmp, 'T'), r['decision'], r['reason'], r['error']) for r in recs]
want = [
    ('open', 'T/ro/in.txt', 'allowed', 'read', None),
    ('list', 'T/ro', 'allowed', None, None),
    ('stat', 'T/ro/in.txt', 'allowed', None, None),
    ('create', 'T/rw/new.txt', 'allowed', 'write, create, truncate', None),
    ('open', 'T/rw/new.txt', 'allowed', 'write, create, append', None),
    ('mkdir', 'T/rw/d', 'allowed', None, None),
    ('rename', 'T/rw/new.txt -> T/rw/d/moved.txt', 'allowed', None, None),
    ('remove', 'T/rw/d/moved.txt', 'allowed', None, None),
    ('rmdir', 'T/rw/d', 'allowed', None, None),
    ('open', 'T/outside.txt', 'denied', 'outside every grant', 'ENOENT'),
    ('open', '/etc/passwd', 'denied', 'outside every grant', 'ENOENT'),
    ('open', 'T/ro/in.txt', 'denied', 'not allowed by the grant (read-only, or the path leads outside it)', 'EACCES'),
    ('remove', 'T/ro/in.txt', 'denied', 'not allowed by the grant (read-only, or the path leads outside it)',
     'EACCES'),
    ('list', '/etc', 'denied', 'outside every grant', 'ENOENT'),
    ('open', 'T/ro/missing.txt', 'allowed', 'read', 'ENOENT'),
]
assert got == want, '\n'.join(map(str, got))
EOF
then ok; else bad "file records in the audit log: $(head -c 1500 "$TMP/audit.log")"; fi

finish
