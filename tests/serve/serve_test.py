"""Tests of `airlock serve` through its HTTP interface, on loopback only.

    python3 tests/serve/serve_test.py path/to/airlock

Starts servers (and, when installed, a redis-server and haproxy) on
loopback ports, drives them with urllib, and prints "N passed, M failed".
Every process started here is ended here, by its pid.
"""
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

AIRLOCK = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/airlock")
TMP = tempfile.mkdtemp(prefix="airlock-serve-")
passed = failed = skipped = 0
started = []  # every Popen started here


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL ", what, flush=True)


def skip(what):
    global skipped
    skipped += 1
    print("skipped:", what, flush=True)


def os_sandbox_off():
    """True in a sanitizer build (make test SANITIZE=1): no seccomp there."""
    out = subprocess.run([AIRLOCK, "--verbose", "-c", "pass"], capture_output=True, text=True, timeout=30)
    return "off in sanitizer builds" in out.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(args, log):
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=TMP)
    started.append(p)
    return p


def wait_port(port, proc, seconds=15):
    end = time.time() + seconds
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


class Server:
    """One `airlock serve` on a loopback port."""

    def __init__(self, *flags, store=None, name="serve"):
        self.port = free_port()
        self.log_path = os.path.join(TMP, f"{name}-{self.port}.log")
        self.log = open(self.log_path, "w")
        store = store or "sqlite:" + os.path.join(TMP, f"{name}-{self.port}.db")
        self.proc = spawn([AIRLOCK, "serve", "--listen", f"127.0.0.1:{self.port}", "--store", store, *flags], self.log)
        self.up = wait_port(self.port, self.proc)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def workers(self):
        try:
            with open(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children") as f:
                return [int(x) for x in f.read().split()]
        except OSError:
            return []

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def logged(self):
        with open(self.log_path) as f:
            return f.read()


def request(url, method="GET", body=None, token=None, raw=None, timeout=30, headers=None):
    """(status, parsed JSON or text, headers)."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, text, hdrs = r.status, r.read().decode(), r.headers
    except urllib.error.HTTPError as e:
        status, text, hdrs = e.code, e.read().decode(), e.headers
    try:
        return status, json.loads(text) if text else None, hdrs
    except ValueError:
        return status, text, hdrs


def exec_(srv, code, session=None, token=None, **extra):
    body = {"code": code, **extra}
    if session:
        body["session"] = session
    return request(srv.url("/v1/exec"), "POST", body, token)


def wait_running(s, seconds=10):
    """Until an exec runs on a worker of s (the metrics say so)."""
    end = time.time() + seconds
    while time.time() < end:
        st, text, _ = request(s.url("/metrics"))
        if st == 200 and "airlock_execs_running 1" in text:
            return True
        time.sleep(0.05)
    return False


def hash_token(tok):
    r = subprocess.run([AIRLOCK, "serve", "--hash-token"], input=tok + "\n", capture_output=True, text=True)
    return r.stdout.strip()


# ---- the JSON API, one server, no tokens --------------------------------------------------------


def test_basics():
    s = Server("--workers", "2", "--max-body", "64K")
    check(s.up, "server starts and listens")
    if not s.up:
        print(s.logged())
        return
    st, h, _ = request(s.url("/healthz"))
    check(st == 200 and h["status"] == "ok" and h["workers"] == 2, f"healthz: {st} {h}")
    st, d, _ = exec_(s, "print(6 * 7)")
    check(st == 200 and d["ok"] and d["stdout"] == "42\n", f"stateless exec: {st} {d}")
    check(set(d) >= {"ok", "stdout", "stderr", "result", "error", "limit", "stats"}, "the --json object's fields")
    st, d, _ = exec_(s, "x = 41", session="work")
    check(st == 200 and d["session"]["version"] == 1 and d["session"]["saved"], f"session created: {d}")
    st, d, _ = exec_(s, "x + 1", session="work")
    check(st == 200 and d["result"] == "42" and d["session"]["version"] == 2, f"session continues: {d}")
    st, d, _ = exec_(s, "raise ValueError('no')", session="work")
    check(st == 200 and not d["ok"] and d["error"]["type"] == "ValueError" and not d["session"]["saved"],
          f"a failed exec keeps the session as it was: {d}")
    st, d, _ = exec_(s, "x", session="work")
    check(d.get("result") == "41" and d["session"]["version"] == 3, f"state after a failed exec: {d}")
    st, d, _ = exec_(s, "import os\nos.listdir('/')")
    check(st == 200 and "'lib'" in (d["result"] or ""), f"the sandbox sees only /lib: {d}")
    st, d, _ = exec_(s, "open('/etc/passwd').read()")
    check(st == 200 and d["error"]["type"] == "OSError", f"no host files: {d}")
    st, d, _ = exec_(s, "while True: pass", limits={"timeout": 0.5})
    check(st == 200 and d["limit"] == "timeout", f"a request may lower the timeout: {d}")
    st, d, _ = request(s.url("/v1/sessions/work"), "DELETE")
    check(st == 204, f"delete a session: {st}")
    st, d, _ = request(s.url("/v1/sessions/work"), "DELETE")
    check(st == 404, f"delete it again: {st}")
    st, d, _ = exec_(s, "x", session="work")
    check(d["error"]["type"] == "NameError" and d["session"]["version"] == 0, f"deleted means gone: {d}")
    # bad input: clear errors, never a crash
    for raw, want in [(b'{"code":', "not JSON"), (b'[1]', "JSON object"), (b'{"cod": "1"}', "cod"),
                      (b'{"code": 5}', "code"), (b'{"code": "1", "session": "../x"}', "session"),
                      (b'{"code": "1", "guest": "cpython"}', "guest"),
                      (b'{"code": "1", "limits": {"memory": -1}}', "limits.memory"),
                      (b'{"code": "1", "code": "2"}', "duplicate")]:
        st, d, _ = request(s.url("/v1/exec"), "POST", raw=raw)
        check(st == 400 and want in d["error"], f"400 for {raw!r}: {st} {d}")
    st, d, _ = request(s.url("/v1/exec"), "POST", raw=b'{"code": "' + b"x" * 70000 + b'"}')
    check(st == 413, f"413 for a body over --max-body: {st}")
    st, d, _ = request(s.url("/nowhere"))
    check(st == 404, f"404 for an unknown path: {st}")
    st, d, _ = request(s.url("/v1/exec"))
    check(st == 405, f"405 for GET /v1/exec: {st}")
    st, text, _ = request(s.url("/metrics"))
    check(st == 200 and 'airlock_execs_total{outcome="ok"}' in text and "airlock_exec_seconds_bucket" in text
          and 'airlock_limits_hit_total{limit="timeout"} 1' in text and "airlock_sessions_live 0" in text,
          "metrics in Prometheus text format")
    check(s.proc.poll() is None, "still running after bad input")
    s.stop()
    check(s.proc.returncode == 0, f"SIGTERM exits 0: {s.proc.returncode}")


def test_cpython_sessions():
    """A CPython session (an image of megabytes) kept by the store."""
    probe = subprocess.run([AIRLOCK, "--guest", "cpython", "-c", "pass"], capture_output=True, text=True, timeout=60)
    if probe.returncode != 0:
        skip("serve: cpython sessions: this airlock has no CPython guest")
        return
    s = Server("--guest", "cpython", "--workers", "1", name="cpython")
    check(s.up, "a cpython server starts")
    st, a, _ = exec_(s, "import json\nclass K:\n    v = 41\nx = K()", session="c1")
    check(st == 200 and a.get("ok") and a["session"]["saved"], f"cpython: first exec saved: {st} {a}")
    st, b, _ = exec_(s, "print(json.dumps(x.v + 1))", session="c1")
    check(st == 200 and b.get("stdout") == "42\n", f"cpython: state kept across execs: {st} {b}")
    s.stop()


def test_concurrent_session_conflict():
    """Two execs of one session at once: one wins, the other gets 409, nothing is lost silently."""
    s = Server("--workers", "2")
    exec_(s, "n = []", session="c")
    results = {}

    def slow():
        results["slow"] = exec_(s, "import time\ntime.sleep(1.5)\nn.append('slow')", session="c")

    t = threading.Thread(target=slow)
    t.start()
    check(wait_running(s), "the slow exec started")
    results["fast"] = exec_(s, "n.append('fast')", session="c")
    t.join()
    check(results["fast"][0] == 200, f"the exec that finishes first wins: {results['fast'][:2]}")
    st, d, _ = results["slow"]
    check(st == 409 and "retry" in d["error"] and d["run"]["ok"], f"the other gets 409 with its run: {st} {d}")
    st, d, _ = exec_(s, "n", session="c")
    check(d["result"] == "['fast']", f"the session holds the winner's state: {d}")
    s.stop()


def test_workers_die_and_come_back():
    s = Server("--workers", "2")
    exec_(s, "v = 1", session="w")
    box = {}
    t = threading.Thread(target=lambda: box.update(r=exec_(s, "import time\nv = 2\ntime.sleep(3)", session="w")))
    t.start()
    check(wait_running(s), "the exec to interrupt started")
    for pid in s.workers():  # the listener's children are its workers
        os.kill(pid, signal.SIGKILL)
    t.join()
    st, d, hdrs = box["r"]
    check(st == 503 and hdrs.get("Retry-After"), f"the exec in flight fails with 503: {st} {d}")
    st, d, _ = exec_(s, "v", session="w")
    check(st == 200 and d["result"] == "1", f"the session stayed at its last committed version: {st} {d}")
    time.sleep(1.5)
    check(len(s.workers()) == 2, f"the pool is whole again: {s.workers()}")
    for pid in s.workers():
        if os_sandbox_off():
            skip(f"worker {pid} runs under seccomp: the OS sandbox is off in sanitizer builds")
            continue
        with open(f"/proc/{pid}/status") as f:
            status = f.read()
        check("Seccomp:\t2" in status and "NoNewPrivs:\t1" in status, f"worker {pid} runs under seccomp")
    st, text, _ = request(s.url("/metrics"))
    check("airlock_worker_restarts_total 0" not in text, "restarts are counted")
    # Workers killed while idle are not gone at once (their socket closes at
    # the end of their exit): a job given to one in that window was never
    # started, so it goes to another worker instead of failing.
    for pid in s.workers():
        os.kill(pid, signal.SIGKILL)
    st, d, _ = exec_(s, "v", session="w")
    check(st == 200 and d["result"] == "1", f"an exec right after idle workers die runs: {st} {d}")
    s.stop()


def test_graceful_shutdown():
    s = Server("--workers", "1")
    box = {}
    t = threading.Thread(target=lambda: box.update(r=exec_(s, "import time\ntime.sleep(1.5)\nprint('done')")))
    t.start()
    check(wait_running(s), "the exec in flight started")
    s.proc.send_signal(signal.SIGTERM)
    t.join()
    st, d, _ = box["r"]
    check(st == 200 and d["stdout"] == "done\n", f"SIGTERM lets the exec in flight finish: {st} {d}")
    s.proc.wait(20)
    check(s.proc.returncode == 0, "and then exits 0")
    s.stop()


def test_unix_socket():
    path = os.path.join(TMP, "airlock.sock")
    s = Server("--workers", "1", "--unix", path, name="unix")
    r = subprocess.run(["curl", "-s", "--unix-socket", path, "-d", '{"code": "print(40 + 2)"}',
                        "http://localhost/v1/exec"], capture_output=True, text=True, timeout=30) \
        if shutil.which("curl") else None
    if r is None:
        skip("curl missing: the Unix socket is not tested")
    else:
        check(r.returncode == 0 and json.loads(r.stdout or "{}").get("stdout") == "42\n",
              f"an exec over --unix: {r.returncode} {r.stdout[:200]}")
    s.stop()
    check(not os.path.exists(path), "the socket file is removed at exit")


# ---- tenants ---------------------------------------------------------------------------------------------


def write_tokens(path, lines):
    with open(path, "w") as f:
        f.write("# test tokens\n" + "\n".join(lines) + "\n")


def test_tenants():
    # serve/sha256.c against Python's: one block, the
    # padding edge (55 and 56 bytes), several blocks
    for t in ("abc", "x" * 55, "y" * 56, "token-" * 40):
        check(hash_token(t) == hashlib.sha256(t.encode()).hexdigest(), "--hash-token is SHA-256 of %r" % t[:12])
    tok = os.path.join(TMP, "tokens")
    a, b, c = "token-of-alice-123", "token-of-bob-456", "token-of-carol-789"
    e = "token-of-erin-321"
    write_tokens(tok, [f"alice {hash_token(a)} timeout=1 sessions=2",
                       f"bob {hash_token(b)} rpm=3 concurrent=1",
                       f"carol {hash_token(c)} grants=none",
                       f"erin {hash_token(e)} stored=150K"])
    with open(tok) as f:
        check(a not in f.read(), "the token file holds hashes, not tokens")
    s = Server("--workers", "2", "--tokens", tok)
    check(s.up, "starts with a token file")
    st, d, hdrs = exec_(s, "1")
    check(st == 401 and "Bearer" in (hdrs.get("WWW-Authenticate") or ""), f"no token: 401 {st}")
    st, d, _ = exec_(s, "1", token="wrong")
    check(st == 401, f"a wrong token: 401 {st}")
    st, d, _ = exec_(s, "secret = 'alice-data'", session="shared-name", token=a)
    check(st == 200, f"alice writes her session: {st} {d}")
    st, d, _ = exec_(s, "secret", session="shared-name", token=c)
    check(st == 200 and d["error"]["type"] == "NameError", f"carol's session of the same name is hers: {d}")
    st, d, _ = request(s.url("/v1/sessions/shared-name"), "DELETE", token=b)
    check(st == 404, f"bob cannot delete alice's session: {st}")
    st, d, _ = exec_(s, "secret", session="shared-name", token=a)
    check(d["result"] == "'alice-data'", f"alice's session is intact: {d}")
    st, d, _ = exec_(s, "while True: pass", token=a, limits={"timeout": 30})
    check(d["limit"] == "timeout" and d["stats"]["wall_ms"] < 8000, f"a request cannot raise the profile's timeout: {d}")
    exec_(s, "y = 1", session="second", token=a)
    st, d, hdrs = exec_(s, "z = 1", session="third", token=a)
    check(st == 429 and "quota" in d["error"], f"the session quota: {st} {d}")
    st, d, _ = exec_(s, "small = 1", session="one", token=e)
    check(st == 200, f"erin's first session fits her stored-bytes quota: {st} {d}")
    st, d, _ = exec_(s, "import random\nbig = bytes(random.getrandbits(8) for _ in range(200000))", session="two", token=e)
    check(st == 429 and "quota" in d["error"], f"the stored-bytes quota: {st} {d}")
    st, d, _ = exec_(s, "small", session="one", token=e)
    check(d["result"] == "1", "a refused write leaves the tenant's other sessions alone")
    codes = [exec_(s, "1", token=b)[0] for _ in range(3)]  # bob's DELETE above was his first request
    check(codes == [200, 200, 429], f"rpm=3 counts every request: {codes}")
    st, d, hdrs = exec_(s, "1", token=b)
    check(st == 429 and int(hdrs.get("Retry-After", "0")) >= 1, "429 says when to retry")
    # reload on SIGHUP: a new tenant appears, a removed one is gone
    dave = "token-of-dave-000"
    write_tokens(tok, [f"alice {hash_token(a)} timeout=1 sessions=2", f"dave {hash_token(dave)}"])
    s.proc.send_signal(signal.SIGHUP)
    time.sleep(1.5)
    check(exec_(s, "1", token=dave)[0] == 200, "a token added before SIGHUP works")
    check(exec_(s, "1", token=c)[0] == 401, "a token removed before SIGHUP is refused")
    write_tokens(tok, ["garbage line"])
    s.proc.send_signal(signal.SIGHUP)
    time.sleep(1.5)
    check(exec_(s, "1", token=dave)[0] == 200, "a broken token file on SIGHUP keeps the old tokens")
    s.stop()
    bad = Server("--tokens", os.path.join(TMP, "missing-file"), name="bad")
    bad.proc.wait(10)
    check(bad.proc.returncode == 2 and "cannot open token file" in bad.logged(), "a missing token file stops start-up")
    r = subprocess.run([AIRLOCK, "serve", "--listen", "0.0.0.0:0"], capture_output=True, text=True, timeout=10)
    check(r.returncode == 2 and "loopback" in r.stderr, "no tokens: refuses to listen beyond loopback")


# ---- MCP over Streamable HTTP ----------------------------------------------------------------------------


def mcp_post(s, msg, token, sid=None, accept="application/json, text/event-stream"):
    headers = {"Accept": accept, "Content-Type": "application/json"}
    if sid:
        headers["Mcp-Session-Id"] = sid
    return request(s.url("/mcp"), "POST", msg, token, headers=headers)


def test_mcp_http():
    tok = os.path.join(TMP, "tokens-mcp")
    a, b = "mcp-token-a", "mcp-token-b"
    write_tokens(tok, [f"ma {hash_token(a)}", f"mb {hash_token(b)} grants=none"])
    s = Server("--workers", "2", "--tokens", tok, name="mcp")
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    st, d, hdrs = mcp_post(s, init, a)
    sid = hdrs.get("Mcp-Session-Id")
    check(st == 200 and d["result"]["protocolVersion"] == "2025-11-25" and sid and len(sid) == 32,
          f"initialize answers with an Mcp-Session-Id: {st} {d} {sid}")
    st, d, _ = mcp_post(s, {"jsonrpc": "2.0", "method": "notifications/initialized"}, a, sid)
    check(st == 202 and d is None, f"a notification gets 202: {st}")
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "run_python", "arguments": {"code": "y = 2", "session": "ms"}}}
    st, d, _ = mcp_post(s, call, a, sid)
    check(st == 200 and d["result"]["isError"] is False, f"tools/call: {st} {d}")
    call["params"]["arguments"]["code"] = "y * 21"
    st, d, _ = mcp_post(s, call, a, sid, accept="text/event-stream")
    check(st == 200 and isinstance(d, str) and d.startswith("event: message\ndata: ") and '"result":"42"' in d,
          f"an event-stream-only client gets one SSE event: {st} {d!r}")
    st, d, _ = exec_(s, "y", session="ms", token=a)
    check(d["result"] == "2", f"MCP and the JSON API share the tenant's sessions: {d}")
    st, d, _ = mcp_post(s, call, b, sid)
    check(st == 404, f"another tenant cannot use this Mcp-Session-Id: {st}")
    st, d, _ = mcp_post(s, {"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, b)
    desc = d["result"]["tools"][0]["description"] if st == 200 else ""
    check(st == 200 and "Granted: nothing" in desc, f"a grants=none tenant is told it has nothing: {st}")
    st, d, _ = request(s.url("/mcp"), "POST", raw=b"{not json", token=a)
    check(st == 400 and d["error"]["code"] == -32700, f"parse error: {st} {d}")
    st, d, _ = request(s.url("/mcp"), "GET", token=a)
    check(st == 405, f"GET /mcp: {st}")
    st, d, _ = request(s.url("/mcp"), "DELETE", token=a, headers={"Mcp-Session-Id": sid})
    check(st == 204, f"DELETE ends the MCP session: {st}")
    st, d, _ = mcp_post(s, call, a, sid)
    check(st == 404, f"an ended session id is refused: {st}")
    sdk_client(s, a)
    s.stop()


def sdk_client(s, token):
    """The official TypeScript SDK's HTTP client transport (tests/mcp/http.test.mjs)."""
    mcp_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "mcp")
    if not shutil.which("node") or not shutil.which("npm"):
        skip("node/npm missing: the MCP SDK HTTP client is not tested")
        return
    if not os.path.exists(os.path.join(mcp_dir, "node_modules", "@modelcontextprotocol", "sdk")):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=mcp_dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    env = dict(os.environ, AIRLOCK_MCP_URL=s.url("/mcp"), AIRLOCK_MCP_TOKEN=token)
    r = subprocess.run(["node", "--test", "http.test.mjs"], cwd=mcp_dir, env=env, capture_output=True, text=True,
                       timeout=120)
    npass = [int(l.split()[2]) for l in r.stdout.splitlines() if l.startswith("# pass ")]
    nfail = [int(l.split()[2]) for l in r.stdout.splitlines() if l.startswith("# fail ")]
    check(r.returncode == 0 and npass and npass[0] >= 6 and nfail == [0],
          f"the SDK's Streamable HTTP client: {r.stdout[-1500:]} {r.stderr[-500:]}")


# ---- stores shared by instances: Redis and a load balancer ----------------------------------------------


def start_redis():
    if not shutil.which("redis-server"):
        return None, None
    port = free_port()
    p = spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", TMP], open(os.path.join(TMP, "redis.log"), "w"))
    return (p, port) if wait_port(port, p) else (None, None)


def test_redis_and_balancer():
    redis, rport = start_redis()
    if not redis:
        skip("redis-server is not installed: Redis store and scale-out not tested")
        return
    store = f"redis://127.0.0.1:{rport}"
    tok = os.path.join(TMP, "tokens-lb")
    a, b = "lb-token-a", "lb-token-b"
    write_tokens(tok, [f"ta {hash_token(a)}", f"tb {hash_token(b)}"])
    one = Server("--workers", "1", "--tokens", tok, store=store, name="one")
    two = Server("--workers", "1", "--tokens", tok, store=store, name="two")
    check(one.up and two.up, "two instances on one Redis")
    st, d, _ = exec_(one, "items = ['from one']", session="s", token=a)
    check(st == 200, f"session begun on instance one: {d}")
    st, d, _ = exec_(two, "items.append('from two')\nitems", session="s", token=a)
    check(d.get("result") == "['from one', 'from two']", f"continued on instance two: {d}")
    st, d, _ = exec_(two, "items", session="s", token=b)
    check(d["error"]["type"] == "NameError", f"tenant B cannot see tenant A's session: {d}")
    if not shutil.which("haproxy"):
        skip("haproxy is not installed: the balancer is not tested")
    else:
        balance(one, two, a, b)
    for s in (one, two):
        s.stop()
    redis.terminate()
    redis.wait()


def balance(one, two, a, b):
    lb_port = free_port()
    cfg = os.path.join(TMP, "haproxy.cfg")
    with open(cfg, "w") as f:
        f.write(f"""global
    maxconn 256
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 2
    option redispatch
frontend airlock
    bind 127.0.0.1:{lb_port}
    default_backend workers
backend workers
    balance roundrobin
    option httpchk GET /healthz
    server one 127.0.0.1:{one.port} check inter 500ms fall 1
    server two 127.0.0.1:{two.port} check inter 500ms fall 1
""")
    lb = spawn(["haproxy", "-f", cfg, "-db"], open(os.path.join(TMP, "haproxy.log"), "w"))
    check(wait_port(lb_port, lb), "haproxy in front of both")
    front = type("Front", (), {"url": lambda self, p: f"http://127.0.0.1:{lb_port}{p}"})()
    time.sleep(1.2)  # first health checks
    st, d, _ = exec_(front, "log = [0]", session="lb", token=a)
    for i in range(1, 5):
        st, d, _ = exec_(front, f"log.append({i})\nlog", session="lb", token=a)
    check(d.get("result") == "[0, 1, 2, 3, 4]", f"one session through the balancer, both instances: {d}")
    box = {}
    t = threading.Thread(target=lambda: box.update(r=exec_(front, "import time\nlog.append('lost')\ntime.sleep(3)",
                                                          session="lb", token=a)))
    t.start()
    end = time.time() + 3
    while time.time() < end and all(s.proc.poll() is None for s in (one, two)):
        for s in (one, two):  # kill the instance that runs it, workers and all
            if "airlock_execs_running 1" in request(s.url("/metrics"))[1]:
                s.proc.kill()
                s.proc.wait()
                break
        time.sleep(0.05)
    t.join()
    victim = one if one.proc.poll() is not None else two
    survivor = two if victim is one else one
    check(victim.proc.poll() is not None, "an instance was killed during its exec")
    time.sleep(1.5)  # health checks notice
    for attempt in range(5):
        st, d, _ = exec_(front, "log", session="lb", token=a)
        if st == 200:
            break
        time.sleep(0.5)
    check(st == 200 and d["result"] == "[0, 1, 2, 3, 4]", f"the retry succeeds and sees the last commit: {st} {d}")
    st, d, _ = exec_(front, "log", session="lb", token=b)
    check(d["error"]["type"] == "NameError", "tenant B still cannot reach it through the balancer")
    st, d, _ = request(front.url("/v1/sessions/lb"), "DELETE", token=b)
    check(st == 404, "nor delete it")
    survivor.stop()
    lb.terminate()
    lb.wait()


def main():
    if not os.access(AIRLOCK, os.X_OK):
        print(f"no airlock at {AIRLOCK}")
        return 1
    tests = [test_basics, test_cpython_sessions, test_concurrent_session_conflict, test_workers_die_and_come_back, test_graceful_shutdown, test_unix_socket,
             test_tenants, test_mcp_http, test_redis_and_balancer]
    try:
        for t in tests:
            try:
                t()
            except Exception as e:  # a broken test is a failure, not a stop
                check(False, f"{t.__name__} raised {type(e).__name__}: {e}")
    finally:
        for p in started:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(TMP, ignore_errors=True)
    print(f"serve: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
