#!/bin/sh
# Set airlock up on a freshly debootstrapped Debian 12, exactly as the README
# tells a new user to, and run its test suite there.
#
#   tools/fresh-check.sh [--ci] [DIR]      (make fresh-check; as root)
#
# DIR (default build/fresh-check) receives the new system in DIR/root and the
# whole log in DIR/fresh-check.log. Steps:
#   1. debootstrap bookworm (minbase) from this machine's Debian mirror;
#   2. inside it (as its root, as root, with an empty environment): install
#      what the README says to install first (git, make), clone this
#      checkout's HEAD, and run the README's two commands (make demo, make
#      test); with --ci, run .ci/run instead (what CI runs on a clean clone:
#      make fuzz, make test SANITIZE=1, make clean, make test; the fuzz build
#      is clang's, so its warnings are checked too).
# Only this machine's package-registry settings go in: its apt sources and
# apt.conf.d Acquire settings (proxies), its npm configuration files, its
# local CA certificates, and resolv.conf/hosts for name resolution. Nothing
# else of the host (no environment variable, no package, no cache) does.
# Everything runs in a private mount namespace whose root is the new system
# (pivot_root), so the /proc, /sys, /dev mounts the tests need vanish with
# it, even if this script is killed.
# Prints the time of each step and the suite's summary line; exits non-zero
# if any step fails (DIR is then kept for inspection, else removed).
set -eu
ci=0
if [ "${1:-}" = --ci ]; then ci=1; shift; fi
src=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$src/build/fresh-check}
root=$dir/root
log=$dir/fresh-check.log
suite=bookworm
new_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "fresh-check: $*"; }
die() { say "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, mounts, pivot_root)"
command -v unshare >/dev/null || die "needs unshare (util-linux)"
if ! command -v debootstrap >/dev/null; then
    say "installing debootstrap on this machine"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

# The mirror this machine's apt uses for bookworm itself: a one-line
# "deb URI bookworm ..." or a deb822 stanza whose Suites include bookworm.
apt_mirror() {
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk -v s="$suite" '$1 == "deb" { i = 2; if ($2 ~ /^\[/) while ($i !~ /\]$/) i++; if ($2 ~ /^\[/) i++;
                                       if ($(i + 1) == s) { print $i; exit } }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk -v s="$suite" 'BEGIN { RS = ""; FS = "\n" }
            { uri = ""; ok = 0; off = 0
              for (i = 1; i <= NF; i++) {
                  if ($i ~ /^URIs:/) { split($i, a, " "); uri = a[2] }
                  if ($i ~ /^Suites:/) { n = split($i, a, " "); for (j = 2; j <= n; j++) if (a[j] == s) ok = 1 }
                  if ($i ~ /^Types:/ && $i !~ /(^|[ ])deb([ ]|$)/) off = 1
                  if ($i ~ /^Enabled:[ ]*no/) off = 1 }
              if (ok && !off && uri != "") { print uri; exit } }' "$f"
    done
}
mirror=$(apt_mirror | head -1)
[ -n "$mirror" ] || die "no Debian $suite mirror in /etc/apt/sources.list or sources.list.d"

if [ -n "$(git -C "$src" status --porcelain --untracked-files=no)" ]; then
    say "note: uncommitted changes in $src are not checked (HEAD is)"
fi
head=$(git -C "$src" rev-parse HEAD)

# A previous run's system goes first. Its mounts died with its namespace;
# refuse to delete anything that is still a mount point all the same.
if [ -e "$root" ]; then
    if grep -q " $root[/ ]" /proc/self/mounts; then die "$root still has mounts; unmount them first"; fi
    rm -rf --one-file-system "$root"
fi
mkdir -p "$root"
: >"$log"

now() { date +%s; }
# The proxy apt uses, if any, for debootstrap (which reads only http_proxy).
proxy=$(apt-config dump Acquire::http::Proxy 2>/dev/null | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p' | head -1)

t0=$(now)
say "debootstrap $suite minbase from this machine's mirror into $root"
if ! env ${proxy:+http_proxy="$proxy"} unshare --mount --propagation private \
        debootstrap --variant=minbase "$suite" "$root" "$mirror" >>"$log" 2>&1; then
    tail -20 "$log" >&2
    die "debootstrap failed (log: $log)"
fi
t1=$(now)

# ---- this machine's registry settings, and nothing else -------------------
copy() { # host-path: copied to the same path in the new system if it exists
    [ -e "$1" ] || return 0
    mkdir -p "$root$(dirname "$1")"
    cp -L "$1" "$root$1"
}
rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
copy /etc/apt/sources.list
for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do copy "$f"; done
# apt.conf.d: only files that set how packages are acquired (proxies, checks).
for f in /etc/apt/apt.conf /etc/apt/apt.conf.d/*; do
    [ -f "$f" ] && grep -q '^[[:space:]]*Acquire' "$f" && copy "$f"
done
for f in /usr/local/share/ca-certificates/*; do copy "$f"; done
copy /etc/resolv.conf
copy /etc/hosts
# npm: its configuration files, and the registry it ends up using (which may
# come from elsewhere, e.g. an environment variable) written where the
# system's npm reads it.
for f in /etc/npmrc /usr/etc/npmrc; do copy "$f"; done
user_npmrc=${HOME:-/root}/.npmrc
[ -f "$user_npmrc" ] && cp "$user_npmrc" "$root/root/.npmrc"
if command -v npm >/dev/null; then
    registry=$(npm config get registry 2>/dev/null || true)
    if [ -n "$registry" ] && ! grep -qs '^registry' "$root/etc/npmrc" "$root/usr/etc/npmrc" "$root/root/.npmrc"; then
        echo "registry=$registry" >>"$root/etc/npmrc"
    fi
    cafile=$(npm config get cafile 2>/dev/null || true)
    case $cafile in ""|null|undefined|/etc/ssl/certs/ca-certificates.crt) ;; *) copy "$cafile" ;; esac
fi

# The repository as a git bundle of HEAD; cloned inside with the new git.
git -C "$src" bundle create "$root/root/airlock.bundle" HEAD >>"$log" 2>&1

# ---- inside: README's prerequisites, then its two commands ----------------
cat >"$root/root/fresh-check-steps.sh" <<EOF
#!/bin/sh
set -eu
stamp() { echo "@@ \$1 \$(date +%s)"; }
stamp start
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y git make
git clone /root/airlock.bundle /root/airlock
cd /root/airlock
git checkout -q --detach $head
stamp prereq
EOF
if [ "$ci" = 1 ]; then
    printf 'stamp demo\n./.ci/run\nstamp test\n' >>"$root/root/fresh-check-steps.sh"
else
    printf 'make demo\nstamp demo\nmake test\nstamp test\n' >>"$root/root/fresh-check-steps.sh"
fi
chmod 755 "$root/root/fresh-check-steps.sh"

# The new system becomes the root of a private mount namespace (pivot_root,
# not chroot: the kernel refuses user namespaces, which tests create, to a
# chrooted process), with fresh /proc, /sys, /dev/pts and /dev/shm and the
# host's /dev. The host's tree is unmounted inside; every mount vanishes
# with the namespace when the steps end, also on failure or a kill.
inside() {
    unshare --mount --propagation private sh -c '
        set -e
        root=$1; shift
        mount --bind "$root" "$root"
        mount -t proc proc "$root/proc"
        mount -t sysfs sysfs "$root/sys"
        mount --bind /dev "$root/dev"
        mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
        mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
        mkdir -p "$root/.host-root"
        cd "$root"
        pivot_root . .host-root
        exec /usr/bin/env -i PATH='"$new_path"' HOME=/root TERM=dumb \
            /bin/sh -c "umount -l /.host-root && rmdir /.host-root && exec \"\$@\"" sh "$@"
    ' inside "$root" "$@"
}

if [ "$ci" = 1 ]; then steps=".ci/run"; else steps="make demo; make test"; fi
say "inside: apt-get install git make; git clone; $steps (log: $log)"
status=0
inside /root/fresh-check-steps.sh >>"$log" 2>&1 || status=$?
t_end=$(now)

stamp() { sed -n "s/^@@ $1 //p" "$log" | tail -1; }
span() { # label from to
    if [ -n "$2" ] && [ -n "$3" ]; then say "$(printf '%-40s %5d s' "$1" $(($3 - $2)))"; fi
}
span "debootstrap (minbase)" "$t0" "$t1"
span "apt-get install git make, git clone" "$(stamp start)" "$(stamp prereq)"
[ "$ci" = 1 ] || span "make demo (deps, guest, first build)" "$(stamp prereq)" "$(stamp demo)"
span "${steps#make demo; }" "$(stamp demo)" "$(stamp test)"
span "total" "$t0" "$t_end"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
say "summary: ${summary:-(no summary line)}"
if [ "$status" != 0 ]; then
    grep -E '^failed suites:' "$log" | tail -1 || true
    tail -40 "$log" >&2
    die "FAILED (exit status $status); the system is kept in $root, the log in $log"
fi
rm -rf --one-file-system "$root"
say "passed (log: $log)"
