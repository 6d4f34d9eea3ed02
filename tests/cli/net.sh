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
