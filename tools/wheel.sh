#!/bin/sh
# Build the Python binding's wheel, with the shared library inside it.
#
#   tools/wheel.sh BUILD_DIR        (make wheel)
#
# Stages bindings/python and BUILD_DIR/libairlock.so.0 (debug sections
# stripped) in BUILD_DIR/wheel-src, and builds it offline with Debian's
# python3-build: --no-isolation uses the installed setuptools and wheel, so
# nothing is downloaded. Result: BUILD_DIR/dist/airlock-VERSION-py3-none-
# PLATFORM.whl, which pip installs anywhere with this architecture and the
# libraries libairlock links (only libc; sqlite3 grants load libsqlite3-0).
set -eu
cd "$(dirname "$0")/.."
b=${1:?usage: tools/wheel.sh BUILD_DIR}
lib=$b/libairlock.so.0
[ -f "$lib" ] || { echo "wheel: $lib is not built (make)" >&2; exit 1; }

# One version for the library and the package.
lib_version=$(sed -n 's/^#define AIRLOCK_VERSION "\(.*\)"$/\1/p' include/airlock.h)
py_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' bindings/python/pyproject.toml)
if [ "$lib_version" != "$py_version" ]; then
    echo "wheel: bindings/python/pyproject.toml says $py_version, include/airlock.h $lib_version" >&2
    exit 1
fi

stage=$b/wheel-src
rm -rf "$stage"
mkdir -p "$stage" "$b/dist"
cp -R bindings/python/airlock bindings/python/pyproject.toml bindings/python/setup.py \
    bindings/python/README.md "$stage/"
find "$stage" -name __pycache__ -prune -exec rm -rf {} +
strip --strip-debug -o "$stage/airlock/libairlock.so.0" "$lib"

# The first Python with build, setuptools and wheel: $PYTHON, python3, then
# Debian's own (where make deps installs them).
py=
for cand in ${PYTHON:-} python3 /usr/bin/python3; do
    if "$cand" -c 'import build, setuptools, wheel' >/dev/null 2>&1; then py=$cand; break; fi
done
[ -n "$py" ] || { echo "wheel: no python3 with build, setuptools and wheel (make deps)" >&2; exit 1; }

rm -f "$b"/dist/airlock-*.whl
dist=$(cd "$b/dist" && pwd)
# from inside the stage: in the checkout, build/ would shadow the build module
if ! (cd "$stage" && "$py" -m build --no-isolation --wheel --outdir "$dist" .) >"$b/wheel-build.log" 2>&1; then
    tail -20 "$b/wheel-build.log" >&2
    echo "wheel: $py -m build failed (log: $b/wheel-build.log)" >&2
    exit 1
fi
ls "$b"/dist/airlock-*.whl
