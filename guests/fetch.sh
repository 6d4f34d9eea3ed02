#!/bin/sh
# Fetch a pinned guest and verify it against its lock file.
#
#   guests/fetch.sh OUTDIR [LOCK]
#
# LOCK defaults to guests/micropython/guest.lock (MicroPython); guests/cpython/guest.lock
# pins the CPython guest. A lock names an npm package and version, then one
# or more `file=` lines, each followed by its `sha256=`. Produces OUTDIR/FILE
# for each (verified) and OUTDIR/package/ (the whole npm package; the
# differential tests use MicroPython's micropython.mjs loader from it).
# The variable the lock names in `override=` (default GUEST_WASM) may give a
# local copy of the first file instead of npm; it is still checked against
# the lock unless GUEST_UNCHECKED=1.
set -eu
out=${1:?usage: guests/fetch.sh OUTDIR [LOCK]}
here=$(cd "$(dirname "$0")" && pwd)
lock=${2:-"$here/micropython/guest.lock"}
[ -f "$lock" ] || { echo "fetch: no lock file $lock" >&2; exit 1; }
field() { sed -n "s/^$1=//p" "$lock"; }
pkg=$(field package); ver=$(field version)
override_var=$(field override); override_var=${override_var:-GUEST_WASM}
case $override_var in *[!A-Za-z0-9_]*) echo "fetch: $lock: override=$override_var is not a variable name" >&2; exit 1 ;; esac
eval "override=\${$override_var:-}"

mkdir -p "$out"

# npm pack the package into OUTDIR/package/ unless it holds FILE already.
fetch_package() { # FILE
    [ -f "$out/package/$1" ] && return 0
    command -v npm >/dev/null || { echo "fetch: npm is needed to fetch $pkg@$ver (or set $override_var)" >&2; exit 1; }
    tmp=$(mktemp -d)
    # npm's own errors go to stderr (loglevel error): they say why.
    (cd "$tmp" && npm pack --loglevel=error "$pkg@$ver" >/dev/null) \
        || { rm -rf "$tmp"; echo "fetch: npm could not fetch $pkg@$ver (npm's error above)" >&2; exit 1; }
    rm -rf "$out/package"
    tar -xzf "$tmp"/*.tgz -C "$out"
    rm -rf "$tmp"
    [ -f "$out/package/$1" ] || { echo "fetch: $pkg@$ver has no $1" >&2; exit 1; }
}

# Copy one file of the package (or the override) and check its sha256.
verify() { # FILE WANT SOURCE
    cp "$3" "$out/$1.tmp"
    got=$(sha256sum "$out/$1.tmp" | cut -d' ' -f1)
    if [ "$got" != "$2" ]; then
        if [ "${GUEST_UNCHECKED:-0}" = 1 ]; then
            echo "fetch: WARNING: $1 sha256 $got is not the pinned $2 (GUEST_UNCHECKED=1)" >&2
        else
            rm -f "$out/$1.tmp"
            echo "fetch: $1 has sha256 $got, but $lock pins $2." >&2
            echo "fetch: refusing to build an unverified guest (GUEST_UNCHECKED=1 overrides)." >&2
            exit 1
        fi
    fi
    mv "$out/$1.tmp" "$out/$1"
}

file=""; first=1
while IFS= read -r line; do
    case $line in
    file=*) file=${line#file=} ;;
    sha256=*)
        [ -n "$file" ] || { echo "fetch: $lock: sha256= before its file=" >&2; exit 1; }
        if [ "$first" = 1 ] && [ -n "$override" ]; then
            [ -f "$override" ] || { echo "fetch: $override_var=$override: no such file" >&2; exit 1; }
            src=$override
        else
            fetch_package "$file"
            src="$out/package/$file"
        fi
        verify "$file" "${line#sha256=}" "$src"
        file=""; first=0 ;;
    esac
done < "$lock"
[ "$first" = 0 ] || { echo "fetch: $lock pins no file" >&2; exit 1; }
