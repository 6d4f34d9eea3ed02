#!/bin/sh
# The interactive session, driven through a pseudo-terminal: state kept
# across inputs, multi-line blocks, values echoed, Ctrl-C interrupts a
# running loop and the session goes on.
#   tests/cli/repl.sh [path/to/airlock]
AIRLOCK=${1:-build/airlock}
exec python3 - "$AIRLOCK" <<'PY'
import os, pty, select, sys, time

binary = sys.argv[1]
pid, fd = pty.fork()
if pid == 0:
    os.execv(binary, [binary])

def read_until(marker, timeout=10):
    out = b""
    end = time.time() + timeout
    while marker.encode() not in out and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                out += os.read(fd, 4096)
            except OSError:
                break
    return out.decode(errors="replace")

def send(text):
    # A person does not type in the microsecond between the prompt being
    # printed and the line editor taking the terminal: give it that moment,
    # or a Ctrl-D sent too early is lost in the mode switch.
    time.sleep(0.2)
    os.write(fd, text.encode())


def wait_exit(timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            return True
        time.sleep(0.05)
    os.kill(pid, 9)
    os.waitpid(pid, 0)
    return False

checks = []
read_until(">>> ")
send("x = 20\r")
read_until(">>> ")
send("def add(a):\r    return a + x\r\r")
read_until(">>> ")
send("add(22)\r")
checks.append(("state and value echo", "42" in read_until(">>> ")))
send("while True:\r    x += 1\r\r")
time.sleep(0.5)
send("\x03")
out = read_until(">>> ")
checks.append(("Ctrl-C interrupts", "KeyboardInterrupt" in out))
send("x > 20\r")
checks.append(("session survives Ctrl-C", "True" in read_until(">>> ")))
send("\x04")
checks.append(("Ctrl-D ends the session", wait_exit()))
passed = sum(ok for _, ok in checks)
for name, ok in checks:
    if not ok:
        print("FAIL ", name)
print(f"repl: {passed} passed, {len(checks) - passed} failed")
sys.exit(0 if passed == len(checks) else 1)
PY
