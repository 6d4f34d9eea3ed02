#!/bin/sh
# --allow-net HOST[:PORT]: the granted origin works, its neighbours do not.
# Two HTTP servers on 127.0.0.1, started here: GRANTED (granted) and OTHER
# (never granted; it records every request it gets, so a test can check
# that a refused request never reached it).
#   tests/cli/net.sh [path/to/airlock]
set -u
AIRLOCK=${1:-build/airlock}
. "$(dirname "$0")/lib.sh"

cat >"$TMP/server.py" <<'EOF'
import json, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
portfile, log, other = sys.argv[1], sys.argv[2], int(sys.argv[3])

class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, body, ctype='text/plain', extra=()):
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(body)

    def handle_any(self):
        with open(log, 'a') as f:
            f.write(self.command + ' ' + self.path + '\n')
        n = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(n) if n else b''
        p = self.path
        if p.startswith('/hello'):
            self.reply(200, b'hello world')
        elif p.startswith('/echo'):
            self.reply(200, json.dumps({'method': self.command, 'path': p, 'body': body.decode('latin-1'),
                                        'headers': {k.lower(): v for k, v in self.headers.items()}}).encode(),
                       'application/json; charset=utf-8')
        elif p == '/redirect-in':
            self.reply(302, b'', extra=[('Location', '/hello?via=redirect')])
        elif p == '/redirect-post':
            self.reply(303, b'', extra=[('Location', '/echo')])
        elif p == '/redirect-out':
            self.reply(302, b'', extra=[('Location', 'http://127.0.0.1:%d/hello' % other)])
        elif p == '/redirect-file':
            self.reply(302, b'', extra=[('Location', 'file:///etc/passwd')])
        elif p == '/loop':
            self.reply(302, b'', extra=[('Location', '/loop')])
        elif p == '/big':
            self.reply(200, b'x' * (5 << 20))
        elif p == '/slow':
            time.sleep(4)
            self.reply(200, b'late')
        elif p.startswith('/status/'):
            self.reply(int(p[8:]), b'status')
        else:
            self.reply(404, b'not found')

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any

srv = ThreadingHTTPServer(('127.0.0.1', 0), H)
srv.handle_error = lambda request, address: None  # clients that hang up on purpose
with open(portfile + '.tmp', 'w') as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + '.tmp', portfile)
srv.serve_forever()
EOF

wait_port() {
    i=0
    while [ ! -s "$1" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
    cat "$1"
}
python3 "$TMP/server.py" "$TMP/other.port" "$TMP/other.log" 0 &
OTHER_PID=$!
OTHER=$(wait_port "$TMP/other.port")
python3 "$TMP/server.py" "$TMP/granted.port" "$TMP/granted.log" "$OTHER" &
GRANTED_PID=$!
GRANTED=$(wait_port "$TMP/granted.port")
trap 'kill $OTHER_PID $GRANTED_PID 2>/dev/null; rm -rf "$TMP"' EXIT
: >"$TMP/other.log"
B=http://127.0.0.1:$GRANTED
NET="--allow-net 127.0.0.1:$GRANTED"

other_untouched() { # label
    if [ ! -s "$TMP/other.log" ]; then ok; else bad "$1: the other server got: $(head -3 "$TMP/other.log")"; fi
}

# the grant works: methods, params, headers, json=, data=, redirects inside it
expect_stdout "200 True hello world text/plain OK
POST /echo?q=x+y&n=1 {\"a\": [1, 2]} application/json yes
PUT k=v+w application/x-www-form-urlencoded
DELETE b'raw'
200 http://127.0.0.1:$GRANTED/hello?via=redirect [302] hello world
GET
302 True" $NET -c "
import requests
r = requests.get('$B/hello')
print(r.status_code, r.ok, r.text, r.headers['Content-Type'], r.reason)
r = requests.post('$B/echo', json={'a': [1, 2]}, params={'q': 'x y', 'n': 1}, headers={'X-Test': 'yes'})
j = r.json()
print(j['method'], j['path'], j['body'], j['headers']['content-type'], j['headers']['x-test'])
j = requests.put('$B/echo', data={'k': 'v w'}).json()
print(j['method'], j['body'], j['headers']['content-type'])
j = requests.delete('$B/echo', data=b'raw').json()
print(j['method'], j['body'].encode())
r = requests.get('$B/redirect-in')
print(r.status_code, r.url, [h.status_code for h in r.history], r.content.decode())
print(requests.post('$B/redirect-post', data=b'x').json()['method'])
r = requests.get('$B/redirect-out', allow_redirects=False)
print(r.status_code, r.ok)"

# HTTP errors and exceptions
expect_stdout "HTTPError 404 True
Timeout True
ResponseTooLarge
TooManyRedirects" $NET -c "
import requests
from requests.exceptions import HTTPError, RequestException
try:
    requests.get('$B/status/404').raise_for_status()
except HTTPError as e:
    print('HTTPError', e.response.status_code, isinstance(e, RequestException))
try:
    requests.get('$B/slow', timeout=0.3)
except requests.exceptions.Timeout as e:
    print('Timeout', isinstance(e, requests.RequestException))
for path in ('/big', '/loop'):
    try:
        requests.get('$B' + path)
    except requests.RequestException as e:
        print(type(e).__name__)"

# neighbours: another port on the same host, a redirect out of the grant,
# other schemes, other hosts; none of them reaches the other server
deny_check() { # label, python expression making the request
    : >"$TMP/other.log"
    expect_stdout "PermissionError" $NET -c "
import requests
try:
    $2
    print('allowed')
except PermissionError as e:
    print('PermissionError')"
    other_untouched "$1"
}
deny_check "other port" "requests.get('http://127.0.0.1:$OTHER/hello')"
deny_check "redirect out" "requests.get('$B/redirect-out')"
deny_check "redirect to file" "requests.get('$B/redirect-file')"
deny_check "file scheme" "requests.get('file:///etc/passwd')"
deny_check "ftp scheme" "requests.get('ftp://127.0.0.1:$GRANTED/')"
deny_check "other name" "requests.get('http://localhost:$OTHER/hello')"
deny_check "Host header" "requests.get('$B/echo', headers={'Host': '127.0.0.1:$OTHER'})"
deny_check "proxies" "requests.get('$B/hello', proxies={'http': 'http://127.0.0.1:$OTHER'})"

# the environment's proxy settings are ignored
: >"$TMP/other.log"
export http_proxy=http://127.0.0.1:$OTHER HTTP_PROXY=http://127.0.0.1:$OTHER ALL_PROXY=http://127.0.0.1:$OTHER
expect_stdout "hello world" $NET -c "import requests; print(requests.get('$B/hello').text)"
unset http_proxy HTTP_PROXY ALL_PROXY
other_untouched "proxy from the environment"

# a host *name* granted that resolves to loopback is refused (rebinding);
# needs a name other than localhost that this machine maps to 127.x
NAME=$(hostname 2>/dev/null)
if [ -n "$NAME" ] && [ "$NAME" != localhost ] && getent hosts "$NAME" | grep -q '^127\.'; then
    expect_stdout "PermissionError may not lead to" --allow-net "$NAME:$GRANTED" -c "
import requests
try:
    requests.get('http://$NAME:$GRANTED/hello')
except PermissionError as e:
    print('PermissionError', 'may not lead to' if 'may not lead to' in str(e) else e)"
fi
# ... while localhost and literal addresses may be granted
expect_stdout "hello world" --allow-net "localhost:$GRANTED" -c "
import requests; print(requests.get('http://localhost:$GRANTED/hello').text)"

# A granted name reaches only public unicast addresses. Names are mapped to
# each kind of address by an /etc/hosts of our own, bind-mounted in a user,
# mount and network namespace whose only interface (lo) is down: nothing
# can leave, an allowed address fails to connect (ConnectionError) and a
# refused one never gets that far (PermissionError).
in_netns() { # hosts-file, airlock arguments...
    hosts=$1; shift
    timeout 30 unshare -r -m -n sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" "$AIRLOCK" "$@" \
        >"$TMP/out" 2>"$TMP/err"
}
if unshare -r -m -n true 2>/dev/null; then
    cat >"$TMP/hosts" <<'EOF'
127.0.0.1 localhost
8.8.8.8 v4-public.test
2a00:1450::1 v6-public.test
10.0.0.5 v4-private.test
172.16.0.1 v4-private172.test
192.168.1.1 v4-private192.test
100.64.0.1 v4-shared.test
127.0.0.2 v4-loopback.test
0.0.0.0 v4-unspecified.test
169.254.169.254 v4-metadata.test
169.254.1.1 v4-linklocal.test
100.100.100.200 v4-metadata2.test
224.0.0.1 v4-multicast.test
255.255.255.255 v4-broadcast.test
192.0.0.8 v4-ietf.test
198.18.0.1 v4-bench.test
240.0.0.1 v4-reserved.test
::1 v6-loopback.test
:: v6-unspecified.test
fd00:ec2::254 v6-metadata.test
fc00::1 v6-ula.test
fe80::1 v6-linklocal.test
ff02::1 v6-multicast.test
::ffff:127.0.0.1 v6-mapped.test
64:ff9b::7f00:1 v6-nat64.test
64:ff9b::a9fe:a9fe v6-nat64-metadata.test
64:ff9b:1::808:808 v6-nat64-local.test
2002:7f00:1::1 v6-6to4.test
2001:0:808:808::80ff:fffe v6-teredo.test
EOF
    names="v4-public v6-public v4-private v4-private172 v4-private192 v4-shared v4-loopback v4-unspecified
        v4-metadata v4-linklocal v4-metadata2 v4-multicast v4-broadcast v4-ietf v4-bench v4-reserved v6-loopback
        v6-unspecified v6-metadata v6-ula v6-linklocal v6-multicast v6-mapped v6-nat64 v6-nat64-metadata
        v6-nat64-local v6-6to4 v6-teredo"
    cat >"$TMP/probe.py" <<'EOF'
import requests
def reach(url):
    try:
        requests.get(url, timeout=2)
        return 'answered'
    except PermissionError as e:
        return 'refused' if 'may not lead to' in str(e) or 'only loopback' in str(e) else 'refused? ' + str(e)
    except requests.ConnectionError:
        return 'unreachable'
for n in NAMES.split():
    print(n, reach('http://%s/' % n))
EOF
    probe() { # names; then the probe's source
        printf "NAMES = '%s'\n" "$*"
        cat "$TMP/probe.py"
    }
    # one run per family (the CLI takes a bounded number of each flag)
    for family in v4 v6; do
        grants="" list="" want=""
        for n in $names; do
            case $n in "$family"-*) ;; *) continue ;; esac
            grants="$grants --allow-net $n.test" list="$list $n.test"
            case $n in *-public) want="$want$n.test unreachable
" ;; *) want="$want$n.test refused
" ;; esac
        done
        # shellcheck disable=SC2086 # one flag per word
        in_netns "$TMP/hosts" --no-os-sandbox $grants -c "$(probe $list)"
        if [ "$(cat "$TMP/out")
" = "$want" ]; then ok
        else bad "$family names mapped to each range: $(cat "$TMP/out") $(head -c 300 "$TMP/err")"; fi
    done
    # the same under the OS sandbox (Landlock lets the resolver read /etc/hosts)
    in_netns "$TMP/hosts" --allow-net v4-public.test --allow-net v6-nat64.test -c "$(probe v4-public.test v6-nat64.test)"
    if [ "$(cat "$TMP/out")" = "v4-public.test unreachable
v6-nat64.test refused" ]; then ok; else bad "under the OS sandbox: $(cat "$TMP/out") $(head -c 300 "$TMP/err")"; fi
    # the message names the address and its range
    in_netns "$TMP/hosts" --allow-net v6-metadata.test --allow-net v4-private.test -c "
import requests
for n in ('v6-metadata.test', 'v4-private.test'):
    try:
        requests.get('http://%s/' % n)
    except PermissionError as e:
        print(e)"
    if grep -q 'fd00:ec2::254: a cloud metadata service' "$TMP/out" && grep -q '10.0.0.5: private 10.0.0.0/8' "$TMP/out" &&
        grep -q 'HOST:PORT:private' "$TMP/out"; then ok; else bad "refusal messages: $(cat "$TMP/out" "$TMP/err")"; fi
    # :private opens private-use addresses to a name, never loopback,
    # link-local or metadata; a literal grant reaches exactly its address
    in_netns "$TMP/hosts" --allow-net v4-private.test:private --allow-net v6-ula.test:8080:private \
        --allow-net v4-shared.test:private --allow-net v4-metadata2.test:private --allow-net v4-loopback.test:private \
        --allow-net v4-metadata.test:private --allow-net v6-metadata.test:private --allow-net 10.0.0.7 \
        --allow-net '[fd00:ec2::254]' -c "$(probe v4-private.test v6-ula.test:8080 v4-shared.test v4-metadata2.test \
        v4-loopback.test v4-metadata.test v6-metadata.test 10.0.0.7 '[fd00:ec2::254]')"
    if [ "$(cat "$TMP/out")" = "v4-private.test unreachable
v6-ula.test:8080 unreachable
v4-shared.test unreachable
v4-metadata2.test refused
v4-loopback.test refused
v4-metadata.test refused
v6-metadata.test refused
10.0.0.7 unreachable
[fd00:ec2::254] unreachable" ]; then ok; else bad ":private and literal grants: $(cat "$TMP/out") $(head -c 300 "$TMP/err")"; fi
    # localhost mapped elsewhere is refused: that name is this machine only
    sed 's/^127.0.0.1 localhost/10.0.0.9 localhost/' "$TMP/hosts" >"$TMP/hosts2"
    in_netns "$TMP/hosts2" --allow-net localhost -c "$(probe localhost)"
    if [ "$(cat "$TMP/out")" = "localhost refused" ]; then ok; else bad "localhost elsewhere: $(cat "$TMP/out" "$TMP/err")"; fi
else
    echo "skipped: names mapped to each address range: unshare -r -m -n is not permitted here"
fi
expect_stdout_has "db.test (ports 80, 443) (private addresses too)" --allow-net db.test:private --list-grants
expect_status 2 --allow-net "example.com:private:80" -c "pass"

# the sandbox's --timeout bounds a request (the server takes 4 s)
start=$(date +%s)
run_airlock --timeout 1 $NET -c "import requests; requests.get('$B/slow')"
elapsed=$(($(date +%s) - start))
if [ "$(cat "$TMP/rc")" = 3 ] && [ "$elapsed" -le 3 ]; then ok
else bad "--timeout 1 with a slow server: status $(cat "$TMP/rc") after ${elapsed}s: $(head -c 300 "$TMP/err")"; fi

# without a grant: import requests says how to get one; bad grants are usage errors
expect_stderr_has "--allow-net HOST[:PORT]" -c "import requests"
expect_status 2 --allow-net "http://127.0.0.1:80" -c "pass"
expect_status 2 --allow-net "127.0.0.1:99999" -c "pass"
expect_stdout_has "HTTP and HTTPS requests to 127.0.0.1:$GRANTED" $NET --list-grants

# audit: allowed and denied calls
run_airlock --audit "$TMP/audit.log" $NET -c "
import requests
requests.get('$B/hello')
for url in ('http://127.0.0.1:$OTHER/', '$B/redirect-out'):
    try:
        requests.get(url)
    except PermissionError:
        pass"
if python3 - "$TMP/audit.log" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
calls = [(r['plugin'], r['function'], r['decision']) for r in recs]
assert calls.count(('net', '_request', 'allowed')) == 1, calls
assert calls.count(('net', '_request', 'denied')) == 2, calls
assert all(r['reason'] and 'requests:' in r['reason'] for r in recs if r['decision'] == 'denied'), recs
EOF
then ok; else bad "audit log: $(head -c 600 "$TMP/audit.log")"; fi

finish
