#!/usr/bin/env python3
"""Escape corpus: untrusted Python trying to leave the sandbox.

Every case runs one snippet through the CLI (--json) and asserts two things:

  1. the SPECIFIC denial: the exception type and its errno or message
     fragment, or the limit that stopped the run within a time bound, or the
     exact output of a probe that must see an empty world;
  2. that the host was not affected, checked from outside the sandbox after
     every case (see Host.check): the planted secret and the secret
     environment variable never appear in any output; inotify saw no open or
     read of the secret directory; the whole work tree (secrets, grants,
     the CLI's working directory, marker paths) is byte-for-byte unchanged,
     so nothing was created, written, renamed or deleted; the loopback TCP
     and UDP listeners saw nothing; no marker file appeared in /tmp; the CLI
     exited normally (no signal) with exactly one JSON object.

usage: escape.py AIRLOCK [FILTER] [--guest NAME]
    prints one line per failure and "N passed, M failed". A case runs on the
    guests it names (MicroPython only unless it says); --guest picks the one
    under test (default micropython).
"""
import ctypes
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

# ---- the host side: secrets, markers, listeners, inotify -------------------


class Listener:
    """TCP and UDP listeners on 127.0.0.1 that count whatever reaches them."""

    def __init__(self):
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.seen = 0
        for fn in (self._accept, self._recv):
            threading.Thread(target=fn, daemon=True).start()

    def _accept(self):
        while True:
            conn, _ = self.tcp.accept()
            self.seen += 1
            conn.close()

    def _recv(self):
        while True:
            self.udp.recv(65536)
            self.seen += 1


class Inotify:
    """Watches directories for any open or read (libc's inotify via ctypes)."""

    IN_ACCESS, IN_OPEN, IN_NONBLOCK = 0x1, 0x20, 0o4000

    def __init__(self, dirs):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(self.IN_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        for d in dirs:
            if self.libc.inotify_add_watch(self.fd, d.encode(), self.IN_ACCESS | self.IN_OPEN) < 0:
                raise OSError(ctypes.get_errno(), "inotify_add_watch " + d)

    def events(self):
        """Names touched since the last call."""
        names = []
        while True:
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                return names
            pos = 0
            while pos < len(buf):
                _, mask, _, n = struct.unpack_from("iIII", buf, pos)
                names.append(buf[pos + 16:pos + 16 + n].rstrip(b"\0").decode() or ".")
                pos += 16 + n


class Host:
    """The world outside the sandbox, and the checks that it was left alone."""

    def __init__(self, airlock):
        self.airlock = airlock
        self.root = tempfile.mkdtemp(prefix="airlock-escape-")
        self.token = "esc%d%d" % (os.getpid(), int(time.time()))
        self.secret = "SECRET-" + self.token
        self.env_secret = "ENVSECRET-" + self.token
        r = self.root
        self.paths = {k: os.path.join(r, k) for k in ("secret", "grant", "rw", "cwd", "data", "markers")}
        for p in self.paths.values():
            os.mkdir(p)
        self._write("secret/secret.txt", self.secret + "\n")
        self._write("secret/module_secret.py", "print(%r)\n" % self.secret)
        self._write("grant/a.txt", "alpha\n")
        self._write("rw/keep.txt", "keep\n")
        self._write("data/d.txt", "data\n")
        g = self.paths["grant"]
        os.symlink(os.path.join(r, "secret/secret.txt"), g + "/abs")
        os.symlink("../secret/secret.txt", g + "/rel")
        os.symlink("../secret", g + "/dirlink")
        os.symlink("/proc/self/root", g + "/procroot")
        os.symlink("/proc/self/cwd", g + "/proccwd")
        os.symlink("/dev/zero", g + "/devzero")
        os.mkfifo(g + "/fifo")
        os.symlink("../secret", self.paths["rw"] + "/outlink")
        self.listener = Listener()
        self.inotify = Inotify([self.paths["secret"]])

    def _write(self, rel, text):
        with open(os.path.join(self.root, rel), "w") as f:
            f.write(text)

    def subst(self, text):
        """Fill {ROOT}, {SECRET_DIR}, {GRANT}, {RW}, {DATA}, {PORT}, {TOKEN}, {MARK}."""
        return (text.replace("{ROOT}", self.root).replace("{SECRET_DIR}", self.paths["secret"])
                .replace("{GRANT}", self.paths["grant"]).replace("{RW}", self.paths["rw"])
                .replace("{DATA}", self.paths["data"]).replace("{PORT}", str(self.listener.port))
                .replace("{MARK}", os.path.join(self.paths["markers"], "m-" + self.token))
                .replace("{TOKEN}", self.token))

    def tree(self):
        """Everything under the work root: names, kinds, link targets, contents."""
        state = []
        for dirpath, dirs, files in os.walk(self.root):
            for name in sorted(dirs + files):
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                if os.path.islink(p):
                    what = "link:" + os.readlink(p)
                elif os.path.isfile(p):
                    with open(p, "rb") as f:
                        what = f.read()
                else:
                    what = "mode:%o" % st.st_mode
                state.append((p, what, st.st_mode))
        return sorted(state)

    def tmp_markers(self):
        return sorted(n for n in os.listdir("/tmp") if self.token in n)

    def run(self, flags, code, timeout, guest):
        env = dict(os.environ, AIRLOCK_ESCAPE_SECRET=self.env_secret)
        args = [self.airlock, "--json", "--guest", guest] + [self.subst(f) for f in flags] + ["-c", self.subst(code)]
        t0 = time.monotonic()
        try:
            p = subprocess.run(args, cwd=self.paths["cwd"], env=env, capture_output=True,
                               timeout=timeout + 30, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return None, "hung: no answer %d s after its timeout" % (timeout + 30), 0.0
        return p, None, time.monotonic() - t0

    def check(self, p, before, seen_before):
        """The host-side assertions shared by every case; a list of problems."""
        problems = []
        out = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
        if p.returncode < 0:
            problems.append("the CLI died of signal %d" % -p.returncode)
        elif p.returncode not in (0, 1, 3):
            problems.append("exit status %d" % p.returncode)
        if self.secret in out:
            problems.append("the planted secret reached the guest's output")
        if self.env_secret in out:
            problems.append("the secret environment variable reached the guest's output")
        touched = self.inotify.events()
        if touched:
            problems.append("the secret directory was opened or read: %s" % sorted(set(touched)))
        if self.listener.seen != seen_before:
            problems.append("the loopback listener saw %d connection(s)" % (self.listener.seen - seen_before))
        if self.tree() != before:
            problems.append("the host tree changed (file created, written, moved or removed)")
        if self.tmp_markers():
            problems.append("marker files appeared in /tmp: %s" % self.tmp_markers())
        return problems


# ---- what a case expects ------------------------------------------------------


def raises(etype, fragment):
    """An uncaught exception of exactly this type whose message has fragment."""
    def check(d, elapsed):
        e = d.get("error")
        if not e:
            return "no exception (stdout %r)" % d["stdout"][:200]
        if e["type"] != etype or fragment not in e["message"]:
            return "raised %s: %s, want %s containing %r" % (e["type"], e["message"][:200], etype, fragment)
        return None
    return check


# CPython raises OSError's subclass, with its libc's (WASI's) errno numbers.
ERRNO_CLASS = {2: "FileNotFoundError", 13: "PermissionError"}


def errno_(n):
    """OSError with this errno (Linux numbering, as the MicroPython guest
    shows it: "[Errno 2] ENOENT" for the names it knows, a bare "18" else),
    or CPython's subclass for it."""
    def check(d, elapsed):
        e = d.get("error")
        if e and e["type"] == "OSError" and (e["message"].startswith("[Errno %d]" % n) or e["message"] == str(n)):
            return None
        if e and e["type"] == ERRNO_CLASS.get(n):
            return None
        return "raised %s, want OSError errno %d" % (e and (e["type"], e["message"][:200]), n)
    return check


def prints(text):
    """Success with exactly this stdout: a probe that must see an empty world."""
    def check(d, elapsed):
        if not d["ok"] or d["stdout"] != text:
            return "ok=%s stdout %r error %s, want stdout %r" % (d["ok"], d["stdout"][:300], d["error"], text)
        return None
    return check


def limit(kind, bound):
    """Stopped by this limit (or one of a tuple of them) within bound seconds
    (the whole CLI run)."""
    kinds = kind if isinstance(kind, tuple) else (kind,)

    def check(d, elapsed):
        if d["limit"] not in kinds:
            return "limit %s (error %s), want %s" % (d["limit"], d["error"], kind)
        if elapsed > bound:
            return "took %.1f s, bound %.1f s" % (elapsed, bound)
        return None
    return check


def trapped(fragment):
    """The guest faulted, the sandbox was reset, the process went on."""
    return raises("SandboxError", fragment)


def survives(d, elapsed):
    """Ends cleanly: success or a Python exception, never a trap or a crash."""
    e = d.get("error")
    if e and e["type"] == "SandboxError":
        return "trapped: %s" % e["message"]
    return None


def one_of(*expects):
    """Any one of these expectations holds."""
    def check(d, elapsed):
        whys = [e(d, elapsed) for e in expects]
        return None if None in whys else " / ".join(whys)
    return check


def python_error(*etypes):
    """An uncaught Python exception of one of these types (never a trap)."""
    def check(d, elapsed):
        e = d.get("error")
        if not e or e["type"] not in etypes:
            return "raised %s, want one of %s" % (e and (e["type"], e["message"][:200]), etypes)
        return None
    return check


CASES = []
MP, CPY = ("micropython",), ("cpython",)
BOTH = MP + CPY


def case(name, code, expect, flags=(), timeout=10, guests=MP):
    CASES.append((name, code, expect, list(flags), timeout, guests))


# ---- files outside the grants --------------------------------------------------

SECRET = "{SECRET_DIR}/secret.txt"
READ_GRANT = ["--allow-read", "{GRANT}"]
WRITE_GRANT = ["--allow-write", "{RW}"]
ALL_GRANTS = READ_GRANT + WRITE_GRANT + ["--mount", "{DATA}:/data:rw", "--scratch", "1M"]

case("read /etc/passwd", 'open("/etc/passwd").read()', errno_(2), guests=BOTH)
case("read the planted secret by absolute path", 'print(open("%s").read())' % SECRET, errno_(2), guests=BOTH)
case("read the secret with every grant present", 'print(open("%s").read())' % SECRET, errno_(2), ALL_GRANTS)
case("climb out with ..", 'print(open("../" * 40 + "%s").read())' % SECRET, errno_(2), ALL_GRANTS)
case("read /proc/self/environ", 'print(open("/proc/self/environ").read())', errno_(2), guests=BOTH)
case("read /proc/self/mem", 'open("/proc/self/mem", "rb").read(16)', errno_(2), guests=BOTH)
case("read /proc/self/root/etc/passwd", 'open("/proc/self/root/etc/passwd").read()', errno_(2), ALL_GRANTS)
case("read /proc/self/fd/0", 'open("/proc/self/fd/0").read()', errno_(2), guests=BOTH)
case("open mode w outside grants", 'open("{ROOT}/cwd/w-{TOKEN}", "w")', errno_(13), READ_GRANT + WRITE_GRANT)
# With --scratch, /tmp is the private scratch tree: host paths under /tmp
# (where the work tree lives) resolve inside it and do not exist there.
case("open mode w under a scratch /tmp", 'open("{ROOT}/cwd/w-{TOKEN}", "w")', errno_(2), ALL_GRANTS)
case("open mode a outside grants", 'open("{ROOT}/cwd/a-{TOKEN}", "a")', errno_(13))
case("open mode x outside grants", 'open("{ROOT}/cwd/x-{TOKEN}", "x")', errno_(2))
case("open mode r+ on the secret", 'open("%s", "r+")' % SECRET, errno_(2))
case("open mode w+ on the secret", 'open("%s", "w+")' % SECRET, errno_(13))
case("open mode ab on the secret", 'open("%s", "ab")' % SECRET, errno_(13), READ_GRANT + WRITE_GRANT)
case("relative path write lands nowhere", 'open("pwned-{TOKEN}.txt", "w").write("x")', errno_(13), guests=BOTH)
case("write into /tmp without --scratch", 'open("/tmp/{TOKEN}", "w")', errno_(13))
case("mkdir outside grants", 'import os; os.mkdir("{ROOT}/cwd/d-{TOKEN}")', errno_(2))
case("remove the secret", 'import os; os.remove("%s")' % SECRET, errno_(2), ALL_GRANTS)
case("rename the secret", 'import os; os.rename("%s", "{RW}/stolen")' % SECRET, errno_(2), READ_GRANT + WRITE_GRANT)
case("rename the secret across mounts", 'import os; os.rename("%s", "{RW}/stolen")' % SECRET, errno_(18), ALL_GRANTS)
case("rmdir the secret directory", 'import os; os.rmdir("{SECRET_DIR}")', errno_(2))
case("list /etc", 'import os; print(os.listdir("/etc"))', errno_(2), guests=BOTH)
case("stat the secret", 'import os; print(os.stat("%s"))' % SECRET, errno_(2), guests=BOTH)
case("chdir to /etc", 'import os; os.chdir("/etc")', errno_(2), guests=BOTH)
case("root lists only granted names", 'import os; print(sorted(os.listdir("/")))', prints("['data', 'lib', 'tmp']\n"),
     ["--mount", "{DATA}:/data", "--scratch", "1M"])
case("os.VfsPosix mount of /etc", 'import os; os.mount(os.VfsPosix("/etc"), "/mnt"); open("/mnt/passwd").read()',
     errno_(2))
case("execfile a host file", 'execfile("%s")' % SECRET, errno_(2))
case("import from a host directory on sys.path",
     'import sys; sys.path.insert(0, "{SECRET_DIR}"); import module_secret', raises("ImportError", "module_secret"))
case("write into the read-only /lib", 'open("/lib/evil.py", "w").write("x")', errno_(13))
case("/dev/tcp style path", 'open("/dev/tcp/127.0.0.1/{PORT}", "w")', errno_(13))
# with a read grant: the kernel refuses every way out (EXDEV becomes EACCES)
case("grant: .. out of --allow-read", 'open("{GRANT}/../secret/secret.txt").read()', errno_(2), READ_GRANT)
case("grant: absolute symlink", 'print(open("{GRANT}/abs").read())', errno_(13), READ_GRANT)
case("grant: relative symlink climbing out", 'print(open("{GRANT}/rel").read())', errno_(13), READ_GRANT)
case("grant: directory symlink out", 'import os; print(os.listdir("{GRANT}/dirlink"))', errno_(13), READ_GRANT)
case("grant: /proc/self/root magic link", 'print(open("{GRANT}/procroot/etc/passwd").read())', errno_(13),
     READ_GRANT)
case("grant: /proc/self/cwd magic link", 'print(open("{GRANT}/proccwd/secret.txt").read())', errno_(13),
     READ_GRANT)
case("grant: symlink to /dev/zero", 'open("{GRANT}/devzero").read(10)', errno_(13), READ_GRANT)
case("grant: a FIFO does not block the host", 'open("{GRANT}/fifo").read()', errno_(13), READ_GRANT)
case("grant: mode w on a read-only grant", 'open("{GRANT}/a.txt", "w")', errno_(13), READ_GRANT)
case("grant: mode a on a read-only grant", 'open("{GRANT}/a.txt", "a").write("x")', errno_(13), READ_GRANT)
case("grant: mode r+ on a read-only grant", 'open("{GRANT}/a.txt", "r+").write("x")', errno_(13), READ_GRANT)
case("grant: mode w+ on a read-only grant", 'open("{GRANT}/a.txt", "w+")', errno_(13), READ_GRANT)
case("grant: mode x on a read-only grant", 'open("{GRANT}/new", "x")', errno_(2), READ_GRANT)
case("grant: remove in a read-only grant", 'import os; os.remove("{GRANT}/a.txt")', errno_(13), READ_GRANT)
case("grant: rename in a read-only grant", 'import os; os.rename("{GRANT}/a.txt", "{GRANT}/b")', errno_(13),
     READ_GRANT)
case("grant: mkdir in a read-only grant", 'import os; os.mkdir("{GRANT}/d")', errno_(13), READ_GRANT)
case("rw grant: create through a symlink out", 'open("{RW}/outlink/new-{TOKEN}", "w").write("x")', errno_(13),
     WRITE_GRANT)
case("rw grant: read through a symlink out", 'print(open("{RW}/outlink/secret.txt").read())', errno_(13),
     WRITE_GRANT)
case("rw grant: .. out for writing", 'open("{RW}/../secret/new", "w")', errno_(13), WRITE_GRANT)
case("rw grant: mkdir through a symlink out", 'import os; os.mkdir("{RW}/outlink/d")', errno_(13), WRITE_GRANT)
case("rw grant: rename a granted file out", 'import os; os.rename("{RW}/keep.txt", "{SECRET_DIR}/x")', errno_(2),
     WRITE_GRANT)
case("rw grant: rename a secret in", 'import os; os.rename("%s", "{RW}/x")' % SECRET, errno_(2), WRITE_GRANT)
case("mount: the host path is not visible as itself", 'open("{DATA}/d.txt").read()', errno_(2),
     ["--mount", "{DATA}:/data"])
case("mount: .. from the guest path", 'print(open("/data/../%s").read())' % SECRET, errno_(2),
     ["--mount", "{DATA}:/data:rw"])
case("mount: read-only mount refuses writes", 'open("/data/d.txt", "w")', errno_(13), ["--mount", "{DATA}:/data"])
case("scratch: files stay in memory", 'open("/tmp/{TOKEN}", "w").write("x"); print(open("/tmp/{TOKEN}").read())',
     prints("x\n"), ["--scratch", "1M"])
case("scratch: the budget holds", 'open("/tmp/big", "wb").write(bytes(2 << 20))', errno_(28), ["--scratch", "1M"])
case("scratch: cannot reach host /tmp by ..", 'open("/tmp/../tmp/../etc/passwd").read()', errno_(2),
     ["--scratch", "1M"])

# ---- network -------------------------------------------------------------------

JS_NOWHERE = "module 'js' has no attribute"
case("import socket", 'import socket; s = socket.socket(); s.connect(("127.0.0.1", {PORT}))',
     raises("ImportError", "socket"))
case("import usocket", 'import usocket', raises("ImportError", "usocket"))
case("import ssl", 'import ssl', raises("ImportError", "ssl"))
case("import requests without a grant", 'import requests; requests.get("http://127.0.0.1:{PORT}/")',
     raises("ImportError", "requests"))
case("urllib.request without a grant", 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:{PORT}/")',
     raises("ImportError", "urllib.request"))
case("http.client", 'import http.client', raises("ImportError", "http"))
case("import js: fetch", 'import js; js.fetch("http://127.0.0.1:{PORT}/")', raises("AttributeError", JS_NOWHERE))
case("import js: globalThis", 'import js; print(js.globalThis)', raises("AttributeError", JS_NOWHERE))
case("import js: require child_process", 'import js; js.require("child_process").execSync("touch {MARK}")',
     raises("AttributeError", JS_NOWHERE))
case("import js: nothing listed", 'import js; print(sorted(dir(js)))', prints("['__class__', '__dict__', '__name__']\n"))
case("from js import", 'from js import XMLHttpRequest', raises("ImportError", "XMLHttpRequest"))
case("__import__('js')", '__import__("js").WebSocket("ws://127.0.0.1:{PORT}/")', raises("AttributeError", JS_NOWHERE))
case("exec string importing js", 'exec("import js\\njs.fetch(\\"http://127.0.0.1:{PORT}/\\")")',
     raises("AttributeError", JS_NOWHERE))
case("eval of getattr on js", 'eval("getattr(__import__(\'js\'), \'process\')")', raises("AttributeError", JS_NOWHERE))
case("replaced builtins.__import__ wrapping js",
     'import builtins\norig = builtins.__import__\n'
     'builtins.__import__ = lambda n, *a: orig("js" if n == "socket" else n, *a)\n'
     'import socket\nsocket.connect("127.0.0.1", {PORT})', raises("AttributeError", JS_NOWHERE))
case("jsffi.create_proxy yields nothing callable", 'import jsffi; jsffi.create_proxy(print)("x")',
     raises("TypeError", "'undefined' object isn't callable"))
case("jsffi.to_js has no host side", 'import jsffi; jsffi.to_js({"a": 1}).constructor',
     raises("AttributeError", "'undefined' object has no attribute"))
case("jsffi.JsProxy cannot be forged", 'import jsffi; jsffi.JsProxy(0)', raises("TypeError", "can't create"))
case("asyncio.open_connection", 'import asyncio\nasync def m():\n await asyncio.open_connection("127.0.0.1", {PORT})\n'
     'asyncio.run(m())', raises("NotImplementedError", "no network"))
case("asyncio.start_server", 'import asyncio\nasync def m():\n await asyncio.start_server(print, "127.0.0.1", 0)\n'
     'asyncio.run(m())', raises("NotImplementedError", "no network"))
case("asyncio then js", 'import asyncio, js\nasync def m():\n return js.setTimeout\nasyncio.run(m())',
     raises("AttributeError", JS_NOWHERE))

# ---- environment ------------------------------------------------------------------

case("os.environ is empty", 'import os; print(os.environ)', prints("{}\n"))
case("os.getenv of the planted variable", 'import os; print(os.getenv("AIRLOCK_ESCAPE_SECRET"))', prints("None\n"), guests=BOTH)
case("os.getenv of PATH and HOME", 'import os; print(os.getenv("PATH"), os.getenv("HOME"))', prints("None None\n"), guests=BOTH)
case("js process.env", 'import js; print(js.process.env.AIRLOCK_ESCAPE_SECRET)', raises("AttributeError", JS_NOWHERE))
case("sys.argv and sys.path carry nothing of the host",
     'import sys; print(sys.argv, [p for p in sys.path if p not in ("", ".frozen", "/lib")])', prints("[] []\n"))

# ---- processes -------------------------------------------------------------------------

case("import subprocess", 'import subprocess; subprocess.run(["touch", "{MARK}"])',
     raises("ImportError", "subprocess"))
case("os.system", 'import os; os.system("touch {MARK}")', raises("AttributeError", "'os' has no attribute 'system'"))
case("os.popen", 'import os; os.popen("touch {MARK}")', raises("AttributeError", "'os' has no attribute 'popen'"))
case("os.fork", 'import os; os.fork()', raises("AttributeError", "'os' has no attribute 'fork'"))
case("os.execv", 'import os; os.execv("/usr/bin/touch", ["touch", "{MARK}"])',
     raises("AttributeError", "'os' has no attribute 'execv'"))
case("import ffi", 'import ffi; ffi.open("libc.so.6").func("i", "system", "s")("touch {MARK}")',
     raises("ImportError", "ffi"))
case("import ctypes", 'import ctypes', raises("ImportError", "ctypes"))
case("import pty / multiprocessing", 'import multiprocessing', raises("ImportError", "multiprocessing"))

# ---- the interpreter's own memory ----------------------------------------------------------

case("import uctypes", 'import uctypes; uctypes.bytearray_at(0, 16)', raises("ImportError", "uctypes"))
case("import machine (mem32)", 'import machine; machine.mem32[0] = 1', raises("ImportError", "machine"))
case("micropython.heap_lock then allocate, caught",
     'import micropython\nmicropython.heap_lock()\ntry:\n x = [1] * 100\nexcept MemoryError:\n'
     ' micropython.heap_unlock()\n print("refused")', prints("refused\n"))
# An uncaught exception with the heap locked: the port's exception
# conversion cannot allocate and spins (a guest bug); the limits end it.
case("micropython.heap_lock then allocate, uncaught",
     'import micropython\nmicropython.heap_lock()\nx = [1] * 100', limit("timeout", 4), ["--timeout", "1"])
case("micropython.heap_lock spin is metered",
     'import micropython\nmicropython.heap_lock()\nx = [1] * 100', limit("fuel", 5), ["--fuel", "50000000"])
case("micropython introspection is harmless",
     'import micropython\nmicropython.mem_info(1)\nmicropython.qstr_info(1)\nmicropython.opt_level(3)\n'
     'micropython.kbd_intr(-1)\nprint("fine")', survives)
case("micropython.RingIO of 2**31", 'import micropython; micropython.RingIO(2**31)',
     raises("OverflowError", "machine word"))
case("memoryview over-read", 'print(memoryview(bytearray(10))[100])', raises("IndexError", "out of range"))
case("memoryview negative index", 'print(memoryview(bytearray(10))[-100])', raises("IndexError", "out of range"))
case("memoryview slice clamps", 'print(bytes(memoryview(bytearray(10))[5:10**9]))', prints("b'\\x00\\x00\\x00\\x00\\x00'\n"))
case("array over-read", 'import array; print(array.array("i", [1])[5])', raises("IndexError", "out of range"))
case("bytearray resized under a memoryview",
     'b = bytearray(16)\nm = memoryview(b)\nfor i in range(200): b.extend(bytes(4096))\n'
     'junk = [bytearray(64) for i in range(2000)]\nprint(len(bytes(m[0:16])))', prints("16\n"))
case("bytearray of 2**40", 'bytearray(2**40)', raises("OverflowError", "machine word"))
case("bytes * 2**31", 'b"a" * 2**31', raises("OverflowError", "machine word"))
case("struct.unpack with a huge count", 'import struct; struct.unpack("100000000i", b"")',
     raises("MemoryError", "memory allocation failed"))
case("struct.pack with a count past 2**31", 'import struct; struct.pack("999999999999s", b"")', survives)
case("struct.pack_into past the end", 'import struct; struct.pack_into("i", bytearray(4), 1000, 1)',
     raises("ValueError", "buffer too small"))
case("struct.unpack_from before the start", 'import struct; struct.unpack_from("i", b"abcd", -100)',
     raises("ValueError", "buffer too small"))
# A guest-internal overflow (list length * count wraps in 32 bits): the
# interpreter writes past its memory, which traps; the host goes on.
case("list * 2**30 overflows inside the guest", 'x = [0] * 2**30', trapped("out-of-bounds memory access"))
case("tuple * 2**30 overflows inside the guest", 'x = (0,) * 2**30', trapped("out-of-bounds memory access"))

# ---- resource bombs -----------------------------------------------------------------------------

case("infinite loop, fuel", 'while True: pass', limit("fuel", 5), ["--fuel", "50000000"])
case("infinite loop, timeout", 'while True: pass', limit("timeout", 4), ["--timeout", "1"], guests=BOTH)
case("loop swallowing KeyboardInterrupt",
     'while True:\n try:\n  while True: pass\n except BaseException:\n  pass', limit("timeout", 5), ["--timeout", "1"], guests=BOTH)
case("finally that loops forever", 'try:\n while True: pass\nfinally:\n while True: pass', limit("timeout", 5),
     ["--timeout", "1"], guests=BOTH)
case("kbd_intr(-1) does not disarm the stop", 'import micropython\nmicropython.kbd_intr(-1)\nwhile True: pass',
     limit("timeout", 4), ["--timeout", "1"])
case("huge int 10**10**8", 'x = 10 ** 10 ** 8', limit("timeout", 4), ["--timeout", "1"], guests=BOTH)
case("huge pow", 'x = pow(3, 10 ** 100000, 10 ** 100000)', limit("timeout", 4), ["--timeout", "1"], guests=BOTH)
case("huge string by doubling", 's = "a"\nwhile True: s += s', limit("memory", 20), ["--memory", "64M"], guests=BOTH)
# A 1 GB string: with geometric buffer growth it reaches the 256 MiB memory
# limit in about 0.7 s, so a slower build (sanitizers) or a loaded machine
# meets the 1 s timeout first; either limit stops it.
case("format width 10**9", 'x = "{:999999999}".format(1)', limit(("memory", "timeout"), 4), ["--timeout", "1"])
case("allocation bomb: list of buffers", 'l = []\nwhile True: l.append(bytearray(1 << 22))', limit("memory", 20),
     ["--memory", "64M"], guests=BOTH)
case("allocation bomb: dict growth", 'd = {}\ni = 0\nwhile True:\n d[i] = i\n i += 1', limit("memory", 30),
     ["--memory", "48M"], guests=BOTH)
case("deep recursion", 'def f(): f()\nf()', raises("RuntimeError", "maximum recursion depth"))
# 5,000 levels fit the guest's stacks (about 2,200 Python frames): the parse
# and the compile of a deep expression end normally, nothing overflows.
case("deep nesting in the parser", 'x = eval("[" * 5000 + "]" * 5000)\nn = 0\nwhile x:\n x = x[0]\n n += 1\nprint(n)',
     prints("4999\n"))
case("deep nesting in repr", 'l = []\nfor i in range(100000): l = [l]\nprint(repr(l))',
     raises("RuntimeError", "maximum recursion depth"))
case("output flood stops", 'while True: print("x" * 1000)', limit("output", 5),
     ["--max-output", "1M", "--output-stops"])
case("output flood is capped", 'for i in range(5000): print("y" * 1000)',
     lambda d, t: None if d["ok"] and len(d["stdout"]) <= 65536 and d["stats"]["stdout_truncated"]
     else "stdout %d bytes, truncated %s" % (len(d["stdout"]), d["stats"]["stdout_truncated"]),
     ["--max-output", "64K"], guests=BOTH)
case("stderr flood is capped", 'import sys\nfor i in range(5000): sys.stderr.write("z" * 1000)',
     lambda d, t: None if len(d["stderr"]) <= 65536 and d["stats"]["stderr_truncated"]
     else "stderr %d bytes" % len(d["stderr"]), ["--max-output", "64K"], guests=BOTH)
case("catastrophic regex", 'import re; re.match("(a*)*b", "a" * 40)', limit("timeout", 4), ["--timeout", "1"], guests=BOTH)
case("time.sleep past the deadline", 'import time; time.sleep(1000)', limit("timeout", 4), ["--timeout", "1"], guests=BOTH)

# ---- the CPython guest's own ways in (issue 11 item 7) -------------------------------------
# Each must end in a Python exception, a limit, or a trap that ends only that
# call (SandboxError: the sandbox is reset); the host checks hold after each.
NO_CTYPES = python_error("ImportError")  # _ctypes needs libffi's JavaScript half (driver.py)
case("cpython: ctypes.string_at on a wild address", 'import ctypes; print(ctypes.string_at(0xfffffff0, 64))',
     NO_CTYPES, guests=CPY)
case("cpython: ctypes.memmove over the interpreter", 'import ctypes; ctypes.memmove(0x100, 0x200, 1 << 20)',
     NO_CTYPES, guests=CPY)
case("cpython: ctypes.CDLL system", 'import ctypes; ctypes.CDLL("libc.so.6").system(b"touch {MARK}")',
     NO_CTYPES, guests=CPY)
case("cpython: _ctypes directly", 'import _ctypes', NO_CTYPES, guests=CPY)
case("cpython: _ctypes past the driver's import hook", 'import sys; sys.meta_path.pop(0); import _ctypes',
     python_error("MemoryError"), guests=CPY)
CODE = 'import dis\ndef f(a): return a\nc = f.__code__.replace(%s)\nprint(type(f)(c, {})(1))'
case("cpython: bytecode with bad opcodes", CODE % 'co_code=bytes([255, 0] * 8)',
     one_of(trapped("aborted"), python_error("SystemError")), guests=CPY)
case("cpython: bytecode with a bad stack effect",
     CODE % 'co_code=bytes([dis.opmap["POP_TOP"], 0] * 64 + [dis.opmap["RETURN_VALUE"], 0]), co_stacksize=1',
     one_of(trapped(""), python_error("SystemError")), guests=CPY)
case("cpython: bytecode with an out-of-range local",
     CODE % 'co_code=bytes([dis.opmap["RESUME"], 0, dis.opmap["LOAD_FAST"], 250, dis.opmap["RETURN_VALUE"], 0])',
     one_of(survives, trapped("")), guests=CPY)
case("cpython: bytecode with an out-of-range const",
     CODE % 'co_code=bytes([dis.opmap["RESUME"], 0, dis.opmap["LOAD_CONST"], 250, dis.opmap["RETURN_VALUE"], 0])',
     one_of(survives, trapped("")), guests=CPY)
case("cpython: bytecode with an out-of-range name", CODE % 'co_names=()'.replace("f(a): return a", "f(a): return x"),
     one_of(survives, trapped("")), guests=CPY)
# Python frames cost no native stack in 3.14, but the teardown of a traceback
# a million frames deep does: RecursionError, or the stack limit's trap.
DEEP = 'import sys\nsys.setrecursionlimit(10**6)\n%s'
case("cpython: a million frames, caught", DEEP % 'def f(): f()\ntry:\n f()\nexcept RecursionError:\n print("deep")',
     one_of(prints("deep\n"), limit("stack", 20)), guests=CPY)
case("cpython: a million frames, uncaught", DEEP % 'def f(n): return f(n + 1)\nf(0)',
     one_of(python_error("RecursionError"), limit(("stack", "timeout"), 20)), ["--timeout", "3"], guests=CPY)
# A repr of nested lists is quadratic in the depth (Py_ReprEnter): the timeout,
# before CPython's guard.
case("cpython: repr of a nested list", DEEP % 'l = []\nfor i in range(10**6): l = [l]\nrepr(l)',
     one_of(python_error("RecursionError"), limit(("stack", "timeout"), 20)), ["--timeout", "3"], guests=CPY)
for what, code in (("comparison of nested lists", 'l = []; m = []\nfor i in range(10**6): l = [l]; m = [m]\nl == m'),
                   ("json of a nested list", 'import json\njson.loads("[" * 10**6 + "]" * 10**6)'),
                   ("pickle of a nested dict", 'import pickle\nd = {}\nfor i in range(2 * 10**5): d = {"a": d}\n'
                                               'pickle.dumps(d)'),
                   ("__getattr__ recursion", 'class A:\n def __getattr__(s, n): return getattr(s, n)\nA().x')):
    case("cpython: " + what, DEEP % code, one_of(python_error("RecursionError"), limit("stack", 20)), guests=CPY)
case("cpython: bytearray(2**40)", 'bytearray(2**40)', python_error("MemoryError", "OverflowError"),
     ["--memory", "256M"], guests=CPY)
case("cpython: [0] * 2**31", '[0] * 2**31', python_error("MemoryError", "OverflowError"), ["--memory", "256M"],
     guests=CPY)
case("cpython: [0] * 2**28 under --memory", 'x = [0] * 2**28', limit("memory", 10), ["--memory", "256M"],
     guests=CPY)
case("cpython: gc walks every object", 'import gc\nobjs = gc.get_objects()\nn = 0\nfor o in objs[:3000]:\n'
     ' n += len(gc.get_referrers(o))\nprint(len(objs) > 1000, n > 0)', prints("True True\n"), guests=CPY)
case("cpython: gc.get_referents of everything", 'import gc\nfor o in gc.get_objects(): gc.get_referents(o)\n'
     'gc.collect()\nprint("done")', prints("done\n"), guests=CPY)
for mod in ("js", "pyodide_js", "_pyodide_core"):
    case("cpython: import " + mod, 'import ' + mod, raises("ModuleNotFoundError", mod), guests=CPY)
# Pyodide's Python package is in the standard library zip; it leads nowhere
case("cpython: pyodide.code.run_js", 'import pyodide.code; pyodide.code.run_js("1")',
     raises("ModuleNotFoundError", "'js'"), guests=CPY)
case("cpython: pyodide.http.open_url", 'import pyodide.http; pyodide.http.open_url("http://127.0.0.1:{PORT}/")',
     raises("NameError", "XMLHttpRequest"), guests=CPY)
case("cpython: _pyodide has nothing of the host", 'import _pyodide\nprint(sorted(n for n in dir(_pyodide) if '
     'n[0] != "_" or n in ("_base", "_importhook")))',
     prints("['_base', '_importhook', 'docs_argspec', 'set_excepthook']\n"), guests=CPY)
case("cpython: os.system", 'import os; print(os.system("touch {MARK}"))', prints("-1\n"), guests=CPY)
case("cpython: subprocess.run", 'import subprocess; subprocess.run(["touch", "{MARK}"])',
     raises("OSError", "does not support processes"), guests=CPY)
case("cpython: os.fork", 'import os; os.fork()', python_error("OSError", "AttributeError"), guests=CPY)
case("cpython: socket.create_connection out", 'import socket; socket.create_connection(("1.1.1.1", 80), timeout=2)',
     python_error("OSError", "socket.gaierror", "ConnectionRefusedError", "PermissionError"), guests=CPY)
case("cpython: a socket to the host's listener", 'import socket; socket.create_connection(("127.0.0.1", {PORT}))',
     python_error("ConnectionRefusedError"), guests=CPY)

# json.dumps's type check (src/guests/micropython/jsonplain.c) walks guest
# memory from addresses the guest names: forged ones, an array of words
# posing as a list (its words are whatever the guest chose: past memory, a
# cycle, a small DAG) and three arrays of 256 words whose paths multiply to
# 2**24, past the work cap.
JSON_FORGED = r"""import json, time
from array import array as A
p = json._plain
def types(lt=list, dt=dict):
    return '%d %d %d %d %d %d ' % (id(str), id(int), id(float), id(lt), id(tuple), id(dt))
odd = [p(s) for s in ('', '1 2 3', '0 0 0 0 0 0 0', '4294967295 ' * 7, types() + str(2**40), types() + '-8',
                      'x' * 1000, types(A, A) + str(id(A)))]
w = A('I', [0xfffffff0, 3, 6, 0])
past = p(types(A) + str(id(w)))
w[0] = id(w)
cycle = p(types(A) + str(id(w)))
def dag(n):
    c = A('I', [3] * n)
    b = A('I', [id(c)] * n)
    return A('I', [id(b)] * n), b, c
small = dag(16)
big = dag(256)
t = time.time()
print(all(type(x) is bool for x in odd), past, cycle, p(types(A) + str(id(small[0]))),
      p(types(A) + str(id(big[0]))), time.time() - t < 5)
"""
case("json's type check on forged objects", JSON_FORGED, prints("True False False True False True\n"))
# the host's walk of a list that holds one long string 200,000 times would
# scan 800 GB: it gives up at its work cap, and the metered encoder meets
# the timeout
case("json.dumps of a long string shared 200,000 times, timeout", 's = "x" * 4000000\nimport json\njson.dumps([s] * 200000)',
     limit("timeout", 4), ["--timeout", "1"])


def main():
    args = sys.argv[1:]
    guest = "micropython"
    if "--guest" in args:
        i = args.index("--guest")
        guest = args[i + 1]
        del args[i:i + 2]
    airlock = os.path.abspath(args[0] if args else "build/airlock")
    only = args[1] if len(args) > 1 else None
    host = Host(airlock)
    passed = failed = 0
    try:
        for name, code, expect, flags, timeout, guests in CASES:
            if guest not in guests or (only and only not in name):
                continue
            before = host.tree()
            host.inotify.events()
            seen = host.listener.seen
            p, hung, elapsed = host.run(flags, code, timeout, guest)
            problems = [hung] if hung else host.check(p, before, seen)
            if p is not None and p.returncode >= 0:
                lines = p.stdout.splitlines()
                try:
                    assert len(lines) == 1
                    d = json.loads(lines[0])
                    why = expect(d, elapsed)
                    if why:
                        problems.append(why)
                except (AssertionError, ValueError):
                    problems.append("not one JSON object: %r %r" % (p.stdout[:300], p.stderr[:300]))
            if problems:
                failed += 1
                print("FAIL  %s: %s" % (name, "; ".join(problems)))
            else:
                passed += 1
                print("ok    %s (%.2f s)" % (name, elapsed))
    finally:
        subprocess.run(["rm", "-rf", host.root])
    print("escape (CLI, %s): %d passed, %d failed" % (guest, passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
