#!/bin/sh
# The wheel as a Python user gets it: a fresh venv, `pip install` of
# build/dist/airlock-*.whl with no index and no network, no environment
# variable but PATH, and then the README's Python examples run there
# against the library inside the wheel.
#
#   bindings/python/wheel_test.sh [BUILD_DIR]   (default build; make wheel)
#
# Runs inside a new network namespace when it can make one (unshare -n), so
# that nothing could be fetched even by mistake. A sanitizer build (make test
# SANITIZE=1) passes its LD_PRELOAD and ASAN_OPTIONS through, nothing else.
# Last line: "N passed, M failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
b=$(cd "${1:-$repo/build}" && pwd)
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "PASS  $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1"; [ -n "${2:-}" ] && echo "$2" | sed 's/^/      /'; }
finish() { echo "$pass passed, $fail failed"; [ "$fail" = 0 ]; exit $?; }

whl=$(ls "$b"/dist/airlock-*.whl 2>/dev/null | head -1)
[ -n "$whl" ] || { bad "no wheel in $b/dist (make wheel)"; finish; }
case $whl in
    *-py3-none-linux_*.whl) ok "wheel tagged for this platform: $(basename "$whl")" ;;
    *) bad "wheel not tagged py3-none-linux_*: $(basename "$whl")" ;;
esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/tests/readme_examples.py" "$work/"
# nothing of the caller's environment, and no network if we can help it
set -- env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$work" \
    ${LD_PRELOAD:+LD_PRELOAD="$LD_PRELOAD"} ${ASAN_OPTIONS:+ASAN_OPTIONS="$ASAN_OPTIONS"}
if unshare -n true 2>/dev/null; then set -- unshare -n "$@"; fi
clean() { (cd "$work" && "$@"); }

if out=$(clean "$@" python3 -m venv "$work/venv" 2>&1); then ok "python3 -m venv"
else bad "python3 -m venv (Debian: python3-venv)" "$out"; finish; fi
py=$work/venv/bin/python
if out=$(clean "$@" "$py" -m pip install --no-index --no-cache-dir --disable-pip-version-check "$whl" 2>&1)
then ok "pip install --no-index the wheel"
else bad "pip install --no-index the wheel" "$out"; finish; fi

# The package and its library come from the venv, found with no path given.
if out=$(clean "$@" "$py" -I -c '
import sys, airlock
pkg, lib = airlock.__file__, airlock.library_path()
assert pkg.startswith(sys.prefix + "/"), "package from " + pkg
assert lib.startswith(sys.prefix + "/") and lib.endswith("/airlock/libairlock.so.0"), "library from " + lib
print(lib)' 2>&1); then ok "the bundled library loads by itself: $out"
else bad "the bundled library is not the one loaded" "$out"; fi

out=$(clean "$@" "$py" -I "$work/readme_examples.py" "$repo/README.md" 2>&1)
status=$?
counts=$(echo "$out" | tail -1)
case $counts in
    *" passed, 0 failed") [ "$status" = 0 ] && ok "README's Python examples in the venv: $counts" \
        || bad "README's Python examples: exit $status" "$out" ;;
    *) bad "README's Python examples in the venv: $counts" "$out" ;;
esac
finish
