#!/bin/sh
# Install (or check) the Debian packages airlock needs to build and test.
#
#   tools/deps.sh           install what is missing (needs root)
#   tools/deps.sh --check   only report what is missing; exit 1 if anything is
set -eu

# build: C toolchain, wasm2c (wabt), Binaryen's C API, JSON, line editing,
#        seccomp filters (the CLI's OS sandbox), SQLite and libcurl (the
#        sqlite3 and requests grants; both loaded only when granted),
#        libmicrohttpd (opened by airlock serve), hiredis and zstd (airlock serve)
# test:  Check (C unit tests), Node.js/npm (the reference guest loader, the
#        MCP SDK test), Python 3 with pytest (differential, compatibility and
#        binding tests), valgrind, strace (what SQLite opens), man-db (man
#        airlock, the man page test), redis-server and haproxy (airlock
#        serve's scale-out test), wrk (its load benchmark)
# wheel: python3-build, python3-setuptools, python3-wheel (make wheel, offline)
#        and python3-venv (the wheel test installs it into a fresh venv)
# fuzz:  clang (the package that provides the clang command; clang-14 alone
#        does not) and libFuzzer (make fuzz)
PACKAGES="build-essential pkg-config wabt binaryen libjansson-dev libedit-dev libseccomp-dev
libsqlite3-dev libcurl4-openssl-dev libmicrohttpd-dev libhiredis-dev libzstd-dev libssl-dev
check nodejs npm python3 python3-pytest valgrind strace man-db
python3-build python3-setuptools python3-wheel python3-venv
clang libfuzzer-14-dev
redis-server haproxy wrk curl"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm may come from outside Debian's package (e.g. a newer Node.js install).
case " $missing " in *" npm "*) command -v npm >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ npm//') ;; esac
case " $missing " in *" nodejs "*) command -v node >/dev/null 2>&1 && missing=$(echo "$missing" | sed 's/ nodejs//') ;; esac

if [ -z "$missing" ]; then
    echo "deps: everything needed is installed"
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "deps: missing:$missing (run: make deps)" >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "deps: missing:$missing" >&2
    echo "deps: run as root: apt-get install$missing" >&2
    exit 1
fi
echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
echo "deps: done"
