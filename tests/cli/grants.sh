#!/usr/bin/env bash
# Filesystem grants through the CLI: every grant works, and its neighbours
# do not. Checks effects on the host too (files not created, secrets not
# printed, contents unchanged).
#   usage: tests/cli/grants.sh [path/to/airlock]     (default: build/airlock)
# Last line: "N passed, M failed". Exit 0 only if all pass.
set -u
bin=${1:-build/airlock}
if [ ! -x "$bin" ]; then echo "airlock binary not found: $bin"; exit 1; fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

pass=0; fail=0
ok()  { pass=$((pass+1)); printf 'PASS  %s\n' "$1"; }
bad() { fail=$((fail+1)); printf 'FAIL  %s\n' "$1"; [ -n "${2:-}" ] && printf '      %s\n' "$2"; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
secret="s3cret-$RANDOM$RANDOM"
mkdir -p "$work/g/sub" "$work/out" "$work/rw" "$work/ro2"
echo "$secret" >"$work/out/secret.txt"
echo "$secret" >"$work/neighbour.txt"
echo "alpha" >"$work/g/a.txt"
echo "beta" >"$work/g/sub/b.txt"
echo "single" >"$work/file.txt"
echo "two" >"$work/ro2/c.txt"
ln -s "$work/out/secret.txt" "$work/g/abs"
ln -s ../out/secret.txt "$work/g/rel"
ln -s ../out "$work/g/dirlink"
ln -s /proc/self/root "$work/g/procroot"
ln -s /proc/self/cwd "$work/g/proccwd"
ln -s a.txt "$work/g/inside"
ln -s ../out "$work/rw/outlink"
sum_g=$(cd "$work" && find g ro2 file.txt -print0 | sort -z | xargs -0 ls -ld --time-style=+%s | md5sum)

# Guest prelude: t(label, fn) prints "label ok VALUE" or "label ERR ERRNO".
prelude='import os
def t(label, fn):
    try:
        v = fn()
        print(label, "ok", v)
    except OSError as e:
        print(label, "ERR", e.args[0])
'
# run FLAGS... -- CODE : output in $out, status in $rc
run() {
  local args=()
  while [ "$1" != "--" ]; do args+=("$1"); shift; done
  shift
  out=$(cd "$work/out" && timeout 20 "$bin" "${args[@]}" -c "$prelude$1" 2>&1); rc=$?
}
# expect NAME LINE... : every LINE appears in $out, the secret does not
expect() {
  local name=$1; shift
  if [ "$rc" -ge 124 ]; then bad "$name" "crashed or hung (rc=$rc)"; return; fi
  if grep -q "$secret" <<<"$out"; then bad "$name" "secret printed"; return; fi
  for line in "$@"; do
    if ! grep -qxF -- "$line" <<<"$out"; then bad "$name" "missing '$line' in: $(head -c 600 <<<"$out" | tr '\n' '|')"; return; fi
  done
  ok "$name"
}

# ---- nothing by default ------------------------------------------------------
run -- 't("read", lambda: open("'"$work"'/g/a.txt").read())
t("write", lambda: open("/tmp/airlock-grants-'"$secret"'", "w"))
t("mkdir", lambda: os.mkdir("/tmp/x'"$secret"'"))'
expect "no grants: nothing readable or writable" "read ERR 2" "write ERR 13" "mkdir ERR 2"
[ -e "/tmp/airlock-grants-$secret" ] && bad "no grants: host file created" || ok "no grants: nothing created on the host"

# ---- --allow-read DIR --------------------------------------------------------
run --allow-read "$work/g" -- 'g = "'"$work"'/g"
t("read", lambda: open(g + "/a.txt").read().strip())
t("read sub", lambda: open(g + "/sub/b.txt", "rb").read())
t("inside link", lambda: open(g + "/inside").read().strip())
t("listdir", lambda: sorted(os.listdir(g)))
t("stat size", lambda: os.stat(g + "/a.txt")[6])
t("isfile", lambda: os.path.isfile(g + "/a.txt"))
t("exists", lambda: os.path.exists(g + "/nope"))
os.chdir(g + "/sub")
t("relative", lambda: open("../a.txt").read().strip())
t("cwd", lambda: os.getcwd())'
expect "--allow-read dir: reads work" "read ok alpha" "read sub ok b'beta\\n'" "inside link ok alpha" \
  "listdir ok ['a.txt', 'abs', 'dirlink', 'inside', 'proccwd', 'procroot', 'rel', 'sub']" "stat size ok 6" \
  "isfile ok True" "exists ok False" "relative ok alpha" "cwd ok $work/g/sub"

run --allow-read "$work/g" -- 'g = "'"$work"'/g"
t("dotdot", lambda: open(g + "/../out/secret.txt").read())
t("dotdot neighbour", lambda: open(g + "/../neighbour.txt").read())
os.chdir(g)
t("chdir dotdot", lambda: open("../out/secret.txt").read())
t("abs symlink", lambda: open(g + "/abs").read())
t("rel symlink", lambda: open(g + "/rel").read())
t("dir symlink", lambda: open(g + "/dirlink/secret.txt").read())
t("dir symlink list", lambda: os.listdir(g + "/dirlink"))
t("stat symlink", lambda: os.stat(g + "/abs"))
t("procroot link", lambda: open(g + "/procroot" + g + "/../out/secret.txt").read())
t("proccwd link", lambda: open(g + "/proccwd/secret.txt").read())
t("proc self root", lambda: open("/proc/self/root'"$work"'/out/secret.txt").read())
t("proc self cwd", lambda: open("/proc/self/cwd/secret.txt").read())'
expect "--allow-read dir: no way out" "dotdot ERR 2" "dotdot neighbour ERR 2" "chdir dotdot ERR 2" \
  "abs symlink ERR 13" "rel symlink ERR 13" "dir symlink ERR 13" "dir symlink list ERR 13" "stat symlink ERR 13" \
  "procroot link ERR 13" "proccwd link ERR 13" "proc self root ERR 2" "proc self cwd ERR 2"

# /proc granted on purpose: its magic links still lead nowhere
run --mount /proc:/hp -- 't("root", lambda: open("/hp/self/root'"$work"'/out/secret.txt").read())
t("cwd", lambda: open("/hp/self/cwd/secret.txt").read())
t("thread-self", lambda: open("/hp/thread-self/root'"$work"'/out/secret.txt").read())
t("fd", lambda: open("/hp/self/fd/0").read())
t("exe", lambda: open("/hp/self/exe", "rb").read(4))'
expect "--mount /proc: magic links refused" "root ERR 40" "cwd ERR 40" "thread-self ERR 40" "fd ERR 40" "exe ERR 40"

# ---- read-only: every write refused ------------------------------------------
run --allow-read "$work/g" -- 'g = "'"$work"'/g"
for m in ("w", "a", "r+", "w+", "a+", "wb", "ab", "rb+", "x"):
    t("existing " + m, lambda: open(g + "/a.txt", m).write("X"))
    t("new " + m, lambda: open(g + "/new.txt", m).write("X"))
t("mkdir", lambda: os.mkdir(g + "/newdir"))
t("remove", lambda: os.remove(g + "/a.txt"))
t("remove link", lambda: os.remove(g + "/abs"))
t("rmdir", lambda: os.rmdir(g + "/sub"))
t("rename", lambda: os.rename(g + "/a.txt", g + "/moved.txt"))
t("rename dir", lambda: os.rename(g + "/sub", g + "/sub2"))
t("write via link", lambda: open(g + "/dirlink/new.txt", "w"))'
lines=()
for m in w a r+ w+ a+ wb ab rb+; do lines+=("existing $m ERR 13" "new $m ERR 13"); done
expect "--allow-read dir: writes refused in every mode" "${lines[@]}" "mkdir ERR 13" "remove ERR 13" \
  "remove link ERR 13" "rmdir ERR 13" "rename ERR 13" "rename dir ERR 13" "write via link ERR 13"
now=$(cd "$work" && find g ro2 file.txt -print0 | sort -z | xargs -0 ls -ld --time-style=+%s | md5sum)
if [ "$now" = "$sum_g" ] && [ ! -e "$work/g/new.txt" ] && [ ! -e "$work/out/new.txt" ]; then
  ok "--allow-read dir: host unchanged"
else bad "--allow-read dir: host unchanged" "the granted tree changed"; fi

# ---- --allow-read FILE -------------------------------------------------------
run --allow-read "$work/file.txt" -- 't("file", lambda: open("'"$work"'/file.txt").read().strip())
t("neighbour", lambda: open("'"$work"'/neighbour.txt").read())
t("sibling dir", lambda: open("'"$work"'/g/a.txt").read())
t("listing", lambda: os.listdir("'"$work"'"))
t("below", lambda: open("'"$work"'/file.txt/x").read())
t("append", lambda: open("'"$work"'/file.txt", "a"))
t("truncate", lambda: open("'"$work"'/file.txt", "w"))'
expect "--allow-read file: only that file" "file ok single" "neighbour ERR 2" "sibling dir ERR 2" \
  "listing ok ['file.txt']" "below ERR 20" "append ERR 13" "truncate ERR 13"
[ "$(cat "$work/file.txt")" = single ] && ok "--allow-read file: host file unchanged" || bad "--allow-read file: host file changed"

# ---- --allow-write DIR -------------------------------------------------------
run --allow-write "$work/rw" -- 'w = "'"$work"'/rw"
with open(w + "/f.txt", "w") as f: f.write("one\n")
with open(w + "/f.txt", "a") as f: f.write("two\n")
with open(w + "/f.txt", "r+") as f: f.seek(1); f.write("X")
t("content", lambda: repr(open(w + "/f.txt").read()))
with open(w + "/b.bin", "wb") as f: f.write(b"\x00\x01\x02")
with open(w + "/b.bin", "ab+") as f: f.write(b"\x03"); f.seek(0); print("ab+", f.read())
with open(w + "/b.bin", "w+") as f: f.write("new"); f.seek(0); print("w+", f.read())
os.mkdir(w + "/d")
os.rename(w + "/f.txt", w + "/d/g.txt")
t("listdir", lambda: sorted(os.listdir(w)))
t("isdir", lambda: os.path.isdir(w + "/d") == True or os.stat(w + "/d")[0] & 0o170000 == 0o040000)
t("exists", lambda: os.path.exists(w + "/d/g.txt"))
t("mkdir again", lambda: os.mkdir(w + "/d"))
t("rmdir full", lambda: os.rmdir(w + "/d"))
t("escape write", lambda: open(w + "/outlink/evil.txt", "w"))
t("escape mkdir", lambda: os.mkdir(w + "/outlink/evil"))
t("escape rename", lambda: os.rename(w + "/b.bin", w + "/outlink/evil.bin"))
t("dotdot write", lambda: open(w + "/../evil.txt", "w"))
os.remove(w + "/b.bin")
os.mkdir(w + "/empty"); os.rmdir(w + "/empty")'
expect "--allow-write dir: Python file API works" "content ok 'oXe\\ntwo\\n'" "ab+ b'\\x00\\x01\\x02\\x03'" "w+ new" \
  "listdir ok ['b.bin', 'd', 'outlink']" "isdir ok True" "exists ok True" "mkdir again ERR 17" "rmdir full ERR 39" \
  "escape write ERR 13" "escape mkdir ERR 13" "escape rename ERR 13" "dotdot write ERR 13"
if [ "$(cat "$work/rw/d/g.txt")" = "$(printf 'oXe\ntwo')" ] && [ ! -e "$work/rw/b.bin" ] && [ ! -e "$work/rw/empty" ] &&
   [ ! -e "$work/out/evil.txt" ] && [ ! -e "$work/out/evil" ] && [ ! -e "$work/out/evil.bin" ] && [ ! -e "$work/evil.txt" ]; then
  ok "--allow-write dir: effects on the host are exactly the granted ones"
else bad "--allow-write dir: effects on the host" "$(cd "$work" && find rw out -newer neighbour.txt | tr '\n' ' ')"; fi

# ---- --mount HOST:GUEST[:rw] -------------------------------------------------
run --mount "$work/ro2:/data" --mount "$work/rw:/out:rw" --scratch 1M -- 't("read", lambda: open("/data/c.txt").read().strip())
t("host path hidden", lambda: open("'"$work"'/ro2/c.txt").read())
t("ro write", lambda: open("/data/n.txt", "w"))
with open("/out/m.txt", "w") as f: f.write("via mount")
t("rw read back", lambda: open("/out/m.txt").read())
t("xdev scratch", lambda: os.rename("/out/m.txt", "/tmp/m.txt"))
t("xdev ro", lambda: os.rename("/out/m.txt", "/data/m.txt"))
t("xdev from ro", lambda: os.rename("/data/c.txt", "/out/c.txt"))'
expect "--mount: ro and rw at guest paths" "read ok two" "host path hidden ERR 2" "ro write ERR 13" \
  "rw read back ok via mount" "xdev scratch ERR 18" "xdev ro ERR 18" "xdev from ro ERR 18"
[ "$(cat "$work/rw/m.txt" 2>/dev/null)" = "via mount" ] && [ ! -e "$work/ro2/n.txt" ] && [ -e "$work/ro2/c.txt" ] &&
  ok "--mount: host effects" || bad "--mount: host effects"

# ---- --scratch SIZE ----------------------------------------------------------
run --scratch 64K -- 'with open("/tmp/a.txt", "w") as f: f.write("scratch")
os.mkdir("/tmp/d")
t("read", lambda: open("/tmp/a.txt").read())
t("listdir", lambda: sorted(os.listdir("/tmp")))
def fill(n):
    with open("/tmp/big", "w") as f: f.write("z" * n)
t("over cap", lambda: fill(100000))
os.remove("/tmp/big")
t("under cap", lambda: fill(30000))
t("outside tmp", lambda: open("/var/x", "w"))'
expect "--scratch: private /tmp with a cap" "read ok scratch" "listdir ok ['a.txt', 'd']" "over cap ERR 28" \
  "under cap ok None" "outside tmp ERR 13"
[ ! -e /tmp/a.txt ] || [ "$(cat /tmp/a.txt 2>/dev/null)" != scratch ] && ok "--scratch: nothing written to the host /tmp" ||
  bad "--scratch: host /tmp written"
run --scratch 64K -- 't("second run", lambda: os.listdir("/tmp"))'
expect "--scratch: starts empty every time" "second run ok []"

# ---- usage errors: clear message, exit 2 --------------------------------------
usage() { # name, args...
  local name=$1; shift
  msg=$("$bin" "$@" -c 'print(1)' 2>&1); local st=$?
  if [ "$st" = 2 ] && grep -q "airlock:" <<<"$msg"; then ok "usage: $name"; else bad "usage: $name" "exit $st: $msg"; fi
}
usage "--allow-read missing path" --allow-read "$work/nope"
usage "--allow-write on a file" --allow-write "$work/file.txt"
usage "--allow-read a device" --allow-read /dev/null
usage "--mount without guest" --mount "$work/g"
usage "--mount relative guest" --mount "$work/g:data"
usage "--mount missing host" --mount "$work/nope:/data"
usage "--mount on /lib" --mount "$work/g:/lib"
usage "--scratch zero" --scratch 0
usage "--scratch not a size" --scratch lots
usage "same guest path twice" --scratch 1M --mount "$work/rw:/tmp:rw"
usage "--allow-read without value" --allow-read

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
