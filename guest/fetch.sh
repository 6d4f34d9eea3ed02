#!/bin/sh
# Fetch the pinned guest and verify it against guest/guest.lock.
#
#   guest/fetch.sh OUTDIR
#
# Produces OUTDIR/micropython.wasm (verified) and OUTDIR/package/ (the whole npm
# package, whose micropython.mjs loader the differential tests use).
# GUEST_WASM=/path/to/micropython.wasm uses a local file instead of npm; it is
# still checked against the lock unless GUEST_UNCHECKED=1.
set -eu
out=${1:?usage: guest/fetch.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
lock="$here/guest.lock"
field() { sed -n "s/^$1=//p" "$lock"; }
pkg=$(field package); ver=$(field version); file=$(field file); want=$(field sha256)

mkdir -p "$out"
if [ -n "${GUEST_WASM:-}" ]; then
    [ -f "$GUEST_WASM" ] || { echo "fetch: GUEST_WASM=$GUEST_WASM: no such file" >&2; exit 1; }
    cp "$GUEST_WASM" "$out/$file.tmp"
else
    if [ ! -f "$out/package/$file" ]; then
        command -v npm >/dev/null || { echo "fetch: npm is needed to fetch $pkg@$ver (or set GUEST_WASM)" >&2; exit 1; }
        tmp=$(mktemp -d)
        # npm's own errors go to stderr (loglevel error): they say why.
        (cd "$tmp" && npm pack --loglevel=error "$pkg@$ver" >/dev/null) \
            || { rm -rf "$tmp"; echo "fetch: npm could not fetch $pkg@$ver (npm's error above)" >&2; exit 1; }
        rm -rf "$out/package"
        tar -xzf "$tmp"/*.tgz -C "$out"
        rm -rf "$tmp"
    fi
    cp "$out/package/$file" "$out/$file.tmp"
fi

got=$(sha256sum "$out/$file.tmp" | cut -d' ' -f1)
if [ "$got" != "$want" ]; then
    if [ "${GUEST_UNCHECKED:-0}" = 1 ]; then
        echo "fetch: WARNING: $file sha256 $got is not the pinned $want (GUEST_UNCHECKED=1)" >&2
    else
        rm -f "$out/$file.tmp"
        echo "fetch: $file has sha256 $got, but guest/guest.lock pins $want." >&2
        echo "fetch: refusing to build an unverified guest (GUEST_UNCHECKED=1 overrides)." >&2
        exit 1
    fi
fi
mv "$out/$file.tmp" "$out/$file"
