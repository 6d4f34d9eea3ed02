#!/usr/bin/env python3
"""Raw protocol tests for `airlock mcp`: the error cases no SDK will send.

Standard library only. Each test starts a server, writes lines to its stdin
and reads lines from its stdout with a deadline, so a hang is a failure, not
a stuck CI run.

    python3 raw_protocol.py path/to/airlock
"""
import json
import os
import select
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

AIRLOCK = os.environ.get("AIRLOCK_BIN", os.path.join(os.path.dirname(__file__), "../../build/airlock"))
MODERN = "2026-07-28"
META = {
    "io.modelcontextprotocol/protocolVersion": MODERN,
    "io.modelcontextprotocol/clientCapabilities": {},
}


class Server:
    """One `airlock mcp` process and a line-oriented view of its stdout."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [AIRLOCK, "mcp", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.buf = b""

    def send_raw(self, data: bytes):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        self.send_raw(json.dumps(msg).encode() + b"\n")

    def read(self, timeout=10.0):
        """The next message from stdout (every line must be JSON)."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no answer within %.0f s" % timeout)
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
                if not chunk:
                    raise AssertionError("server closed stdout")
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def request(self, method, params=None, id=1):
        msg = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return self.read()

    def call(self, code, session=None, id=1, modern=False):
        args = {"code": code}
        if session is not None:
            args["session"] = session
        params = {"name": "run_python", "arguments": args}
        if modern:
            params["_meta"] = META
        return self.request("tools/call", params, id)

    def close(self, timeout=10.0):
        """Close stdin and return the exit status (EOF must end the server)."""
        self.proc.stdin.close()
        try:
            status = self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc.stderr.close()
        return status


class RawProtocol(unittest.TestCase):
    def setUp(self):
        self.srv = Server("--timeout", "2")

    def tearDown(self):
        self.assertEqual(self.srv.close(), 0)

    def assertError(self, reply, code, id=1):
        self.assertEqual(reply.get("jsonrpc"), "2.0")
        self.assertIn("error", reply, reply)
        self.assertEqual(reply["error"]["code"], code, reply)
        self.assertIsInstance(reply["error"]["message"], str)
        self.assertEqual(reply["id"], id)

    # ---- JSON-RPC framing -------------------------------------------------

    def test_malformed_json(self):
        for bad in (b"{", b"garbage", b'{"jsonrpc": "2.0", "id": 1,}', b"\xff\xfe"):
            self.srv.send_raw(bad + b"\n")
            self.assertError(self.srv.read(), -32700, id=None)

    def test_invalid_requests(self):
        cases = [
            (b"42", None),
            (b"[]", None),  # batches are gone since 2025-06-18
            (b'[{"jsonrpc":"2.0","id":1,"method":"ping"}]', None),
            (b'{"id":1,"method":"ping"}', 1),  # no jsonrpc
            (b'{"jsonrpc":"1.0","id":1,"method":"ping"}', 1),
            (b'{"jsonrpc":"2.0","id":1,"method":5}', 1),
            (b'{"jsonrpc":"2.0","id":null,"method":"ping"}', None),  # MCP ids are never null
            (b'{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', None),
            (b'{"jsonrpc":"2.0","id":1,"method":"ping","params":7}', 1),
        ]
        for line, id in cases:
            with self.subTest(line=line):
                self.srv.send_raw(line + b"\n")
                self.assertError(self.srv.read(), -32600, id=id)

    def test_unknown_method(self):
        self.assertError(self.srv.request("no/such/method", id="abc"), -32601, id="abc")
        self.assertError(self.srv.request("resources/list", id=2), -32601, id=2)

    def test_wrong_types(self):
        s = self.srv
        self.assertError(s.request("tools/call", {"name": 5}), -32602)
        self.assertError(s.request("tools/call", {"name": "run_python", "arguments": {"code": 5}}), -32602)
        self.assertError(s.request("tools/call", {"name": "run_python", "arguments": {}}), -32602)
        self.assertError(s.request("tools/call", {"name": "run_python", "arguments": "print(1)"}), -32602)
        self.assertError(
            s.request("tools/call", {"name": "run_python", "arguments": {"code": "1", "session": ""}}), -32602
        )
        self.assertError(
            s.request("tools/call", {"name": "run_python", "arguments": {"code": "1", "extra": "x"}}), -32602
        )
        self.assertError(s.request("tools/call", {"name": "reset_session", "arguments": {"session": 1}}), -32602)
        self.assertError(s.request("tools/call", {"name": "nope", "arguments": {}}), -32602)
        self.assertError(s.request("tools/list", {"cursor": 3}), -32602)
        self.assertError(s.request("tools/list", [1, 2]), -32602)
        self.assertError(s.request("initialize", {"protocolVersion": 2025}), -32602)
        # after all that, the server still works
        self.assertEqual(s.call("1+1")["result"]["structuredContent"]["result"], "2")

    def test_ping_and_responses_ignored(self):
        self.assertEqual(self.srv.request("ping", id=7), {"jsonrpc": "2.0", "id": 7, "result": {}})
        # a response to a request we never made is dropped silently
        self.srv.send({"jsonrpc": "2.0", "id": 99, "result": {}})
        self.assertEqual(self.srv.request("ping", id=8)["id"], 8)

    def test_notifications_never_answered(self):
        s = self.srv
        s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        s.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}})
        s.send({"jsonrpc": "2.0", "method": "notifications/unknown", "params": [1, 2]})
        s.send({"jsonrpc": "2.0", "method": "tools/call", "params": {"name": "run_python"}})
        s.send({"jsonrpc": "2.0", "method": "ping", "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "1.0"}}})
        # The next line must be the answer to this request, not to any of the above.
        self.assertEqual(s.request("ping", id="after")["id"], "after")

    def test_blank_lines_and_crlf(self):
        self.srv.send_raw(b"\n   \n")
        self.srv.send_raw(b'{"jsonrpc":"2.0","id":3,"method":"ping"}\r\n')
        self.assertEqual(self.srv.read()["id"], 3)

    def test_huge_line_refused(self):
        big = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run_python","arguments":{"code":"'
        big += b"#" * (17 << 20) + b'"}}}\n'
        self.srv.send_raw(big)
        self.assertError(self.srv.read(timeout=30), -32600, id=None)
        self.assertEqual(self.srv.request("ping", id=2)["id"], 2)

    def test_nul_in_code(self):
        reply = self.srv.call("s = 'a\\x00b'\nlen(s)")
        self.assertEqual(reply["result"]["structuredContent"]["result"], "3")
        # a raw NUL in a JSON string arrives as \u0000 and reaches Python intact
        reply = self.srv.call("x = 1 # \u0000 comment")
        self.assertIn("structuredContent", reply["result"])

    # ---- protocol versions ------------------------------------------------------

    def test_initialize_versions(self):
        s = self.srv
        r = s.request("initialize", {"protocolVersion": "2025-11-25", "capabilities": {},
                                     "clientInfo": {"name": "raw", "version": "0"}})
        self.assertEqual(r["result"]["protocolVersion"], "2025-11-25")
        self.assertEqual(r["result"]["serverInfo"]["name"], "airlock")
        self.assertIn("tools", r["result"]["capabilities"])
        self.assertNotIn("resultType", r["result"])  # legacy results stay legacy
        r = s.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {}})
        self.assertEqual(r["result"]["protocolVersion"], "2025-06-18")
        # an unknown revision: the server offers its own and the client decides
        r = s.request("initialize", {"protocolVersion": "2099-01-01", "capabilities": {}})
        self.assertEqual(r["result"]["protocolVersion"], "2025-11-25")
        # not a revision at all: the lifecycle page's error
        r = s.request("initialize", {"protocolVersion": "1.0.0", "capabilities": {}})
        self.assertError(r, -32602)
        self.assertEqual(r["error"]["data"]["requested"], "1.0.0")
        self.assertIn("2025-11-25", r["error"]["data"]["supported"])

    def test_discover(self):
        r = self.srv.request("server/discover", {"_meta": META}, id="d")
        res = r["result"]
        self.assertEqual(res["resultType"], "complete")
        self.assertEqual(res["supportedVersions"], [MODERN])
        self.assertIn("tools", res["capabilities"])
        self.assertEqual(res["serverInfo"]["name"], "airlock")
        self.assertEqual(res["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "airlock")
        # without the per-request fields it is malformed
        self.assertError(self.srv.request("server/discover", {}), -32602)

    def test_modern_requests(self):
        s = self.srv
        r = s.request("tools/list", {"_meta": META})["result"]
        self.assertEqual(r["resultType"], "complete")
        self.assertIsInstance(r["ttlMs"], int)
        self.assertIn(r["cacheScope"], ("public", "private"))
        self.assertEqual([t["name"] for t in r["tools"]], ["run_python", "reset_session"])
        r = s.call("print('hi')", modern=True)["result"]
        self.assertEqual(r["resultType"], "complete")
        self.assertEqual(r["structuredContent"]["stdout"], "hi\n")
        # ping was removed in 2026-07-28
        self.assertError(s.request("ping", {"_meta": META}), -32601)

    def test_unsupported_modern_version(self):
        meta = dict(META)
        meta["io.modelcontextprotocol/protocolVersion"] = "1900-01-01"
        r = self.srv.request("tools/list", {"_meta": meta}, id=5)
        self.assertError(r, -32022, id=5)
        self.assertEqual(r["error"]["data"]["requested"], "1900-01-01")
        self.assertIn(MODERN, r["error"]["data"]["supported"])
        self.assertIn("2025-11-25", r["error"]["data"]["supported"])
        meta["io.modelcontextprotocol/protocolVersion"] = 2026
        self.assertError(self.srv.request("tools/list", {"_meta": meta}), -32602)

    def test_modern_missing_capabilities(self):
        meta = {"io.modelcontextprotocol/protocolVersion": MODERN}
        self.assertError(self.srv.request("tools/list", {"_meta": meta}), -32602)
        self.assertError(self.srv.request("tools/list", {"_meta": "x"}), -32602)

    # ---- tool results -----------------------------------------------------------

    def test_run_results(self):
        s = self.srv
        ok = s.call("print('out')\nimport sys\nsys.stderr.write('err\\n')\n[1, 2]")["result"]
        self.assertFalse(ok["isError"])
        text = ok["content"][0]["text"]
        for part in ("stdout:\nout\n", "stderr:\nerr\n", "result: [1, 2]"):
            self.assertIn(part, text)
        exc = s.call("raise ValueError('nope')")["result"]
        self.assertTrue(exc["isError"])
        self.assertEqual(exc["structuredContent"]["error"]["type"], "ValueError")
        self.assertIn("ValueError: nope", exc["content"][0]["text"])
        exit0 = s.call("import sys\nsys.exit(0)")["result"]
        self.assertFalse(exit0["isError"])
        exit3 = s.call("import sys\nsys.exit(3)")["result"]
        self.assertTrue(exit3["isError"])
        loop = s.call("while True: pass")["result"]
        self.assertTrue(loop["isError"])
        self.assertEqual(loop["structuredContent"]["limit"], "timeout")
        self.assertIn("limit: timeout", loop["content"][0]["text"])


class Description(unittest.TestCase):
    """The tool description must tell the truth about the guest."""

    def description(self, *args):
        srv = Server(*args)
        try:
            tools = srv.request("tools/list")["result"]["tools"]
            return srv, tools[0]["description"]
        except BaseException:
            srv.close()
            raise

    def test_modules_listed_are_there(self):
        srv, desc = self.description()
        try:
            line = next(l for l in desc.splitlines() if l.startswith("Modules:"))
            have, missing = line[len("Modules:"):].split(". Not available:")
            have = [m.strip() for m in have.split(",")]
            missing = [m.strip() for m in missing.rstrip(".").split(",") if "(" not in m and ")" not in m]
            self.assertGreater(len(have), 20)
            code = "ok = []\nfor m in %r:\n    __import__(m)\n    ok.append(m)\nlen(ok)" % have
            r = srv.call(code)["result"]
            self.assertFalse(r["isError"], r["content"][0]["text"])
            for m in missing:
                r = srv.call("import " + m)["result"]
                self.assertEqual(r["structuredContent"]["error"]["type"], "ImportError", m)
        finally:
            self.assertEqual(srv.close(), 0)

    def test_limits_and_grants_described(self):
        srv, desc = self.description("--timeout", "7", "--memory", "64M", "--fuel", "1000000000", "--scratch", "1M")
        try:
            self.assertIn("MicroPython 1.27", desc)
            self.assertIn("7 s of wall-clock time", desc)
            self.assertIn("64 MiB of memory", desc)
            self.assertIn("1000000000 units of fuel", desc)
            self.assertIn("/tmp: a private, writable, in-memory directory of at most 1 MiB", desc)
            self.assertNotIn("Granted: nothing", desc)
            r = srv.call("open('/tmp/x', 'w').write('hi')\nopen('/tmp/x').read()")["result"]
            self.assertEqual(r["structuredContent"]["result"], "'hi'")
        finally:
            self.assertEqual(srv.close(), 0)

    def test_host_grants_described(self):
        # Grants served by plugins (env, determinism...) are applied as on the
        # command line, and the description says so in the runtime's words.
        os.environ["AIRLOCK_MCP_TEST_VAR"] = "visible-42"
        srv, desc = self.description("--allow-env", "AIRLOCK_MCP_TEST_VAR", "--deterministic", "--seed", "7")
        try:
            granted = desc[desc.index("Granted:"):]
            self.assertIn("AIRLOCK_MCP_TEST_VAR", granted)
            self.assertIn("seed 7", granted)
            r = srv.call("import os\nos.getenv('AIRLOCK_MCP_TEST_VAR'), os.getenv('HOME')")["result"]
            self.assertEqual(r["structuredContent"]["result"], "('visible-42', None)")
        finally:
            self.assertEqual(srv.close(), 0)


class Cancel(unittest.TestCase):
    def test_cancel_stops_the_run(self):
        srv = Server("--timeout", "60")
        try:
            srv.call("kept = 5", session="c")
            srv.send({"jsonrpc": "2.0", "id": 41, "method": "tools/call",
                      "params": {"name": "run_python", "arguments": {"code": "while True:\n    pass", "session": "c"}}})
            time.sleep(0.3)
            t0 = time.monotonic()
            srv.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                      "params": {"requestId": 41, "reason": "user stopped it"}})
            # No response to the cancelled request: the next one is the ping's.
            self.assertEqual(srv.request("ping", id=42), {"jsonrpc": "2.0", "id": 42, "result": {}})
            self.assertLess(time.monotonic() - t0, 5)
            self.assertEqual(srv.call("kept", session="c")["result"]["structuredContent"]["result"], "5")
            # A cancellation of some other request leaves a run alone.
            srv.send({"jsonrpc": "2.0", "id": 43, "method": "tools/call",
                      "params": {"name": "run_python", "arguments": {"code": "sum(range(300000))"}}})
            srv.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 7}})
            self.assertEqual(srv.read()["result"]["structuredContent"]["result"], "44999850000")
        finally:
            self.assertEqual(srv.close(), 0)


    def test_ping_answered_during_a_run(self):
        # The run is busy in guest code, then in one long host call: a ping
        # is answered at once either way, and the run's own answer follows.
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "x.db")
            sqlite3.connect(db).close()
            srv = Server("--timeout", "60", "--allow-sqlite", db)
            try:
                for code in ("import time\nt = time.time()\nwhile time.time() - t < 3:\n    pass\n'done'",
                             "import sqlite3\nc = sqlite3.connect(%r)\n"
                             "c.execute('select ? like ?', ('a' * 2000000, '%%' + 'a' * 990 + 'b')).fetchone()[0]" % db):
                    srv.send({"jsonrpc": "2.0", "id": 51, "method": "tools/call",
                              "params": {"name": "run_python", "arguments": {"code": code}}})
                    time.sleep(0.5)
                    for n in range(3):
                        t0 = time.monotonic()
                        srv.send({"jsonrpc": "2.0", "id": 60 + n, "method": "ping"})
                        self.assertEqual(srv.read(), {"jsonrpc": "2.0", "id": 60 + n, "result": {}})
                        self.assertLess(time.monotonic() - t0, 0.5)
                    if "sqlite3" in code:  # would run for minutes: cancel it
                        t0 = time.monotonic()
                        srv.send({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 51}})
                        self.assertEqual(srv.request("ping", id=70), {"jsonrpc": "2.0", "id": 70, "result": {}})
                        self.assertEqual(srv.call("1 + 1")["result"]["structuredContent"]["result"], "2")
                        self.assertLess(time.monotonic() - t0, 2)
                    else:
                        self.assertEqual(srv.read(timeout=20)["result"]["structuredContent"]["result"], "'done'")
            finally:
                self.assertEqual(srv.close(), 0)


class Progress(unittest.TestCase):
    """notifications/progress for a tools/call that carries _meta.progressToken."""

    def setUp(self):
        self.srv = Server("--timeout", "30")

    def tearDown(self):
        self.assertEqual(self.srv.close(), 0)

    def run_collecting(self, code, token=None, id=80, modern=False):
        """Send a run_python call; return (notifications with arrival times, response, its time)."""
        params = {"name": "run_python", "arguments": {"code": code}}
        meta = dict(META) if modern else {}
        if token is not None:
            meta["progressToken"] = token
        if meta:
            params["_meta"] = meta
        self.srv.send({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": params})
        notes = []
        while True:
            msg = self.srv.read(timeout=30)
            now = time.monotonic()
            if "id" in msg:
                self.assertEqual(msg["id"], id)
                return notes, msg, now
            self.assertEqual(msg["method"], "notifications/progress", msg)
            notes.append((msg["params"], now))

    def check_sequence(self, notes, token):
        last = 0
        for params, _ in notes:
            self.assertEqual(params["progressToken"], token)
            self.assertGreater(params["progress"], last)  # the spec: it must increase
            last = params["progress"]
            self.assertLessEqual(len(params["message"].encode()), 2000)

    def test_output_streams_while_running(self):
        code = "import time\nfor i in range(3):\n    print('step', i)\n    time.sleep(0.4)\n"
        notes, reply, t_end = self.run_collecting(code, token="tok-1")
        self.check_sequence(notes, "tok-1")
        self.assertEqual("".join(p["message"] for p, _ in notes), "step 0\nstep 1\nstep 2\n")
        self.assertEqual(notes[-1][0]["progress"], len("step 0\nstep 1\nstep 2\n"))
        # the first step reached the client long before the run ended
        self.assertGreater(t_end - notes[0][1], 0.5)
        self.assertEqual(reply["result"]["structuredContent"]["stdout"], "step 0\nstep 1\nstep 2\n")

    def test_held_back_output_is_sent_before_the_end(self):
        # 'second' comes within the rate limit's interval: the watcher's
        # tick sends it while the guest still sleeps.
        code = "print('first')\nprint('second')\nimport time\ntime.sleep(1.0)\n"
        notes, _, t_end = self.run_collecting(code, token=7, modern=True)
        self.check_sequence(notes, 7)
        self.assertEqual("".join(p["message"] for p, _ in notes), "first\nsecond\n")
        self.assertGreater(t_end - notes[-1][1], 0.4)

    def test_rate_limited(self):
        # 100 lines, one every 10 ms (far below the output cap): about one
        # notification per 100 ms, not one per line
        code = "import time\nfor i in range(100):\n    print('line', i)\n    time.sleep(0.01)\n"
        t0 = time.monotonic()
        notes, reply, t_end = self.run_collecting(code, token="burst")
        self.check_sequence(notes, "burst")
        self.assertGreater(len(notes), 2)
        self.assertLessEqual(len(notes), (t_end - t0) / 0.1 + 2)
        self.assertLess(len(notes), 50)
        printed = reply["result"]["structuredContent"]["stdout"]
        self.assertTrue(printed.startswith("".join(p["message"] for p, _ in notes)))
        self.assertLessEqual(notes[-1][0]["progress"], len(printed))

    def test_none_without_a_token(self):
        notes, reply, _ = self.run_collecting("import time\nprint('a')\ntime.sleep(0.3)\nprint('b')\n")
        self.assertEqual(notes, [])
        self.assertEqual(reply["result"]["structuredContent"]["stdout"], "a\nb\n")
        # a token of another type is no token
        notes, _, _ = self.run_collecting("print('a')", token={"not": "valid"}, id=81)
        self.assertEqual(notes, [])


class Sessions(unittest.TestCase):
    def test_lru_eviction(self):
        srv = Server("--max-sessions", "2")
        try:
            srv.call("v = 'a'", session="a")
            srv.call("v = 'b'", session="b")
            srv.call("v", session="a")  # a is now more recent than b
            srv.call("v = 'c'", session="c")  # evicts b
            self.assertEqual(srv.call("v", session="a")["result"]["structuredContent"]["result"], "'a'")
            self.assertEqual(srv.call("v", session="c")["result"]["structuredContent"]["result"], "'c'")
            gone = srv.call("v", session="b")["result"]
            self.assertEqual(gone["structuredContent"]["error"]["type"], "NameError")
            self.assertIn("started", gone["content"][0]["text"])
        finally:
            self.assertEqual(srv.close(), 0)

    def test_idle_expiry(self):
        srv = Server("--session-idle", "1")
        try:
            srv.call("v = 1", session="s")
            self.assertEqual(srv.call("v", session="s")["result"]["structuredContent"]["result"], "1")
            time.sleep(1.5)
            gone = srv.call("v", session="s")["result"]
            self.assertEqual(gone["structuredContent"]["error"]["type"], "NameError")
        finally:
            self.assertEqual(srv.close(), 0)

    def test_bad_flags(self):
        for args in (["--max-sessions", "0"], ["--session-idle", "-1"], ["-c", "1"], ["x.py"], ["--json"]):
            with self.subTest(args=args):
                r = subprocess.run([AIRLOCK, "mcp", *args], stdin=subprocess.DEVNULL, capture_output=True)
                self.assertEqual(r.returncode, 2)
                self.assertEqual(r.stdout, b"")


if __name__ == "__main__":
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        AIRLOCK = sys.argv.pop(1)
    unittest.main(verbosity=2)
