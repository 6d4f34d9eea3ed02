#!/bin/sh
# Drop the exports the host never calls, and the code only they reached.
#
#   guests/cpython/dce.sh IN.wasm KEEP OUT.wasm
#
# KEEP lists the exports to keep, one per line (# comments). wasm-metadce
# (Binaryen) takes a reachability graph: one root reaching the kept exports,
# every other export a node nothing reaches. What it removes it names on
# stdout, written to OUT.wasm.removed for the curious.
set -eu
in=${1:?usage: dce.sh IN.wasm KEEP OUT.wasm}; keep=${2:?}; out=${3:?}
graph="$out.graph.json"
names=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$keep")
exports=$(wasm-objdump -x -j Export "$in" | sed -n 's/.*-> "\(.*\)"$/\1/p')
for name in $names; do
    printf '%s\n' "$exports" | grep -qxF "$name" || { echo "dce: $in exports no $name" >&2; exit 1; }
done
{
    printf '[\n{"name": "root", "root": true, "reaches": ['
    printf '%s\n' "$names" | sed 's/.*/"e_&"/' | paste -sd, | tr -d '\n'
    printf ']}'
    printf '%s\n' "$exports" | awk '{printf ",\n{\"name\": \"e_%s\", \"export\": \"%s\"}", $0, $0}'
    printf '\n]\n'
} > "$graph"
wasm-metadce --enable-exception-handling --enable-bulk-memory --enable-mutable-globals --enable-sign-ext \
    --enable-nontrapping-float-to-int --enable-reference-types --enable-simd --enable-multivalue \
    -f "$graph" "$in" -o "$out" > "$out.removed"
