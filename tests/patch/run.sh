#!/bin/sh
# Tests for the build-time guest patch tool (guests/patch).
#
#   tests/patch/run.sh            all tests, including the real guest under
#                                 wasm2c (about a minute on 2 cores)
#   QUICK=1 tests/patch/run.sh    skip compiling the real guest
#
# Needs: cc, wat2wasm, wasm-validate, wasm2c (Debian wabt), libbinaryen.
# Work files go to build/tests/patch/.
set -eu
cd "$(dirname "$0")/../.."
root=$(pwd)
out=build/tests/patch
tool=build/tools/airlock-patch
guest=build/guest/micropython.wasm
rt=/usr/share/wabt/wasm2c
mkdir -p "$out"
CC=${CC:-cc}
HCFLAGS="-O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -I$rt -I$out"
GENCFLAGS="-O2 -w -I$rt"
fails=0
pass() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

make -s -f guests/patch/patch.mk "$tool" CC="$CC" CFLAGS="${CFLAGS:--O2}"

# ---- small hand-written modules ----
wat2wasm --enable-all tests/patch/skeleton.wat -o "$out/sk.wasm"
$tool "$out/sk.wasm" "$out/skp.wasm" "$out/skl.h" --keep-uctypes --keep-dict-update 2>"$out/sk.log"
$tool "$out/sk.wasm" "$out/skn.wasm" "$out/skln.h" --keep-uctypes --keep-dict-update --no-fuel 2>/dev/null
for m in skp skn; do
    if wasm-validate --enable-all "$out/$m.wasm"; then pass "$m.wasm validates"; else fail "$m.wasm does not validate"; fi
done
$CC $GENCFLAGS -c $rt/wasm-rt-impl.c -o "$out/rt.o"
for m in skp skn; do
    wasm2c "$out/$m.wasm" -n sk -o "$out/sk.c"
    $CC $GENCFLAGS -c "$out/sk.c" -o "$out/$m.o"
done
$CC $HCFLAGS -o "$out/fuel_harness" tests/patch/fuel_harness.c "$out/skp.o" "$out/rt.o" -lm
$CC $HCFLAGS -DNO_FUEL -o "$out/fuel_harness_nofuel" tests/patch/fuel_harness.c "$out/skn.o" "$out/rt.o" -lm
if "$out/fuel_harness"; then pass "fuel counts (metered build)"; else fail "fuel harness (metered)"; fi
# Every charge-only entry of the skeleton ($helper, $helper2, $spin_inner and
# 11 more, $memcmp, $utf8_next and the moved find_subbytes body among them)
# costs under FUEL_FOLD_MAX: all are folded into their callers.
if grep -q "charge-only points: 0 entry + 0 switch-case; 14 entries folded into their callers" "$out/sk.log"; then
    pass "charge-only entries folded into their callers"
else
    fail "folded entries: $(grep -o '[0-9]* entries folded' "$out/sk.log")"
fi
# Both bracketed invoke sites of the skeleton read __THREW__ only in their catch.
if grep -q "4 call sites direct (2 read __THREW__ only in the catch)" "$out/sk.log"; then
    pass "setjmp/longjmp: the bracketed invoke sites read __THREW__ only in the catch"
else
    fail "bracketed invoke sites: $(grep -o '[0-9]* call sites direct ([^)]*)' "$out/sk.log")"
fi
# variant TAG -DSETTING [HARNESS_FLAGS]: the skeleton patched by a tool built
# with that setting (its log: $out/sk_TAG.log), in $out/fuel_harness_TAG
variant() {
    $CC -O2 -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror "$2" -o "$out/airlock-patch-$1" guests/patch/*.c -lbinaryen
    "$out/airlock-patch-$1" "$out/sk.wasm" "$out/sk_$1.wasm" "$out/skl_$1.h" --keep-uctypes --keep-dict-update \
        2>"$out/sk_$1.log"
    wasm-validate --enable-all "$out/sk_$1.wasm"
    wasm2c "$out/sk_$1.wasm" -n sk -o "$out/sk.c"
    $CC $GENCFLAGS -c "$out/sk.c" -o "$out/sk_$1.o"
    $CC $HCFLAGS ${3:-} -o "$out/fuel_harness_$1" tests/patch/fuel_harness.c "$out/sk_$1.o" "$out/rt.o" -lm
}
# the optional switch-case charge points (FUEL_SWITCH_MIN_CASES, off by default)
variant switch -DFUEL_SWITCH_MIN_CASES=2 -DSWITCH_CHARGE_POINTS
if "$out/fuel_harness_switch" >/dev/null; then pass "switch-case charge points (optional build) count per case"; else fail "fuel harness (switch charge points)"; fi
if "$out/fuel_harness_nofuel" >/dev/null; then pass "--no-fuel build links the same and consumes nothing"; else fail "fuel harness (--no-fuel)"; fi
# spin, nested, $spin_inner, one more, gc_alloc's shape, $memcmp and
# $utf8_next: the 7 functions whose loops make no call keep the counter in a
# local; the harness's counts above ran through them.
if grep -q "7 functions keep the counter in a local" "$out/sk.log"; then
    pass "the counter in a local in call-free looping functions"
else
    fail "local counter: $(grep -o '[0-9]* functions keep the counter in a local' "$out/sk.log")"
fi
# A small bound on the fuel charged between two checks (FUEL_CHECK_INTERVAL_MAX):
# the costliest folded entries get checks; every amount charged stays the same.
variant interval -DFUEL_CHECK_INTERVAL_MAX=60
if grep -q "at most 86 between checks (7 entries checked for that)" "$out/sk_interval.log" &&
    "$out/fuel_harness_interval" >/dev/null; then
    pass "a bound on the fuel between checks adds entry checks, charges the same"
else
    fail "check interval bound: $(grep -o 'at most.*' "$out/sk_interval.log")"
fi

# More imports shift every function index: the GC shapes must still be found.
sed 's/^  (import "env" "host_nop" (func $host_nop))/  (import "env" "x1" (func))\n  (import "env" "x2" (func))\n  (import "env" "x3" (func))\n&/' \
    tests/patch/skeleton.wat >"$out/shifted.wat"
wat2wasm --enable-all "$out/shifted.wat" -o "$out/shifted.wasm"
if $tool "$out/shifted.wasm" "$out/shiftedp.wasm" "$out/shiftedl.h" --keep-uctypes --keep-dict-update 2>"$out/shifted.log" &&
    grep -q "gc_collect = func 9" "$out/shifted.log" && wasm-validate --enable-all "$out/shiftedp.wasm"; then
    pass "shifted indices: GC functions found by shape"
else
    fail "shifted indices"; cat "$out/shifted.log"
fi

# A module without one pass's shape must fail the build with a clear message:
# NAME, the sed edit of the skeleton that breaks the shape, the expected
# message, and what is missing.
shape_refused() {
    sed "$2" tests/patch/skeleton.wat >"$out/$1.wat"
    wat2wasm --enable-all "$out/$1.wat" -o "$out/$1.wasm"
    if $tool "$out/$1.wasm" "$out/$1p.wasm" "$out/$1l.h" --keep-uctypes --keep-dict-update 2>"$out/$1.log"; then
        fail "module without $4 was accepted"
    elif grep -q "$3" "$out/$1.log"; then
        pass "missing $4 shape: build fails with a clear message"
    else
        fail "missing $4: unexpected message"; cat "$out/$1.log"
    fi
}
shape_refused nogc 's/(i32.store8 offset=1200 (i32.const 0) (i32.const 1))/(nop)/' \
    "no function looks like gc_collect" gc_collect
shape_refused novstr 's/(i32.const 24)))))/(i32.const 32)))))/' \
    "0 functions look like vstr_ensure_extra" vstr_ensure_extra
shape_refused noqstr 's/(i32.const 5381)/(i32.const 5380)/' \
    "0 functions look like qstr_find_strn" qstr_find_strn
shape_refused nomap 's/(call $unary_op (i32.const 6) (local.get $1))/(call $unary_op (i32.const 7) (local.get $1))/' \
    "0 functions look like mp_map_lookup and 0 like mp_set_lookup" "mp_map_lookup/mp_set_lookup"
shape_refused nofind 's/(i32.gt_s (local.get $dir) (i32.const 0))/(i32.ge_s (local.get $dir) (i32.const 0))/' \
    "0 functions look like find_subbytes" find_subbytes
shape_refused nocount 's/(local.set $c (i32.add (local.get $c) (i32.const 1)))/(local.set $c (i32.add (local.get $c) (i32.const 2)))/' \
    "0 loops look like str_count's" str_count
shape_refused noalloc 's/(i32.store offset=28 (local.get $a)/(i32.store offset=32 (local.get $a)/' \
    "0 functions look like gc_alloc" gc_alloc

# Patching twice is refused; so is a module without the uctypes table.
if $tool "$out/skp.wasm" "$out/twice.wasm" "$out/twice.h" --keep-uctypes --keep-dict-update 2>/dev/null; then
    fail "a patched module was patched again"
else
    pass "patching twice is refused"
fi
if $tool "$out/sk.wasm" "$out/nou.wasm" "$out/nou.h" --keep-dict-update 2>"$out/nou.log"; then
    fail "uctypes removal claimed success on a module without MicroPython"
else
    pass "uctypes removal fails clearly without MicroPython's tables: $(tail -1 "$out/nou.log" | cut -c1-60)..."
fi

# ---- the real guest ----
if [ ! -f "$guest" ]; then
    guests/fetch.sh build/guest
fi
$tool "$guest" "$out/mp.wasm" "$out/layout.h" 2>"$out/mp.log"
$tool "$guest" "$out/mpn.wasm" "$out/layoutn.h" --no-fuel 2>"$out/mpn.log"
$tool "$guest" "$out/mpk.wasm" "$out/layoutk.h" --keep-uctypes 2>"$out/mpk.log"
for m in mp mpn mpk; do
    if wasm-validate --enable-all "$out/$m.wasm"; then pass "guest $m.wasm validates"; else fail "guest $m.wasm"; fi
done
if grep -q "vstr growth: vstr_ensure_extra = 47," "$out/mp.log"; then
    pass "guest: vstr_ensure_extra found by shape (func 47)"
else
    fail "guest: vstr_ensure_extra not found where expected"; grep vstr "$out/mp.log"
fi
if grep -q "qstr hook: qstr_find_strn = 33, pool chain head at 185156, 2-byte hashes" "$out/mp.log"; then
    pass "guest: qstr_find_strn found by shape (func 33, head at 185156)"
else
    fail "guest: qstr_find_strn not found where expected"; grep qstr "$out/mp.log"
fi
if grep -q "find hook: find_subbytes = 689 (memcmp 1335)" "$out/mp.log" &&
    grep -q "count hook: str_count = 715 (pointer local 4, count local 0)" "$out/mp.log"; then
    pass "guest: find_subbytes and str_count's loop found by shape (funcs 689 and 715)"
else
    fail "guest: find_subbytes or str_count not found where expected"; grep "find\|count hook" "$out/mp.log"
fi
if grep -q "map table: mp_map_lookup = 390 (rehash 391), mp_set_lookup = 393 (rehash 394), key comparison 408: .*small ints hashed inline (hash 329)" "$out/mp.log"; then
    pass "guest: mp_map_lookup, mp_set_lookup, their rehashes and mp_obj_equal found by shape"
else
    fail "guest: map/set lookup not found where expected"; grep "map table" "$out/mp.log"
fi
if grep -q "gc alloc: gc_alloc = 22 (gc_last_free_area at 186052; 4 head loads, 4 index loads, 4 area steps, 2 full marks; 1 1-block path left alone)" "$out/mp.log"; then
    pass "guest: gc_alloc found by shape (func 22, gc_last_free_area at 186052, both searches)"
else
    fail "guest: gc_alloc not found where expected"; grep "gc alloc" "$out/mp.log"
fi
# 185 of the 220 direct invoke sites match Emscripten's __THREW__ brackets.
if grep -q "220 call sites direct (185 read __THREW__ only in the catch), 4 through call_indirect" "$out/mp.log"; then
    pass "guest: 185 invoke sites read __THREW__ only in their catch"
else
    fail "guest: invoke sites: $(grep -o '[0-9]* call sites direct ([^)]*)' "$out/mp.log")"
fi
# The mapping pass finds dict_update and the keys() calls by shape.
if grep -q "dict mapping: dict_update is 481; keys() protocol through 335/342/337" "$out/mp.log"; then
    pass "dict_update and mp_load_method_maybe/mp_load_method/mp_call_function_n_kw found by shape"
else
    fail "dict mapping pass: $(grep 'dict mapping' "$out/mp.log")"
fi
# Without the shape (the error text renamed) the build fails clearly.
sed 's/dict update sequence has wrong length/dict update sequence has wrong lengtX/' "$guest" >"$out/nodict.wasm"
if $tool "$out/nodict.wasm" "$out/nodictp.wasm" "$out/nodict.h" 2>"$out/nodict.log"; then
    fail "module without dict_update's error text was accepted"
elif grep -q "dict mapping: the text" "$out/nodict.log"; then
    pass "missing dict_update shape: build fails with a clear message"
else
    fail "missing dict_update: unexpected message"; cat "$out/nodict.log"
fi
# Layout constants derived from code must agree with shared/DESIGN.md.
for kv in GC_PENDING_ADDR=186124u GC_AREA_ADDR=185492u GC_STACK_OVERFLOW_ADDR=185524u \
    GC_BLOCK_BYTES=16u GC_CALL_DEPTH_ADDR=186120u AIRLOCK_GUEST_FUNC_GC_COLLECT=1278 \
    AIRLOCK_GUEST_FUNC_GC_COUNTER=1269 AIRLOCK_GUEST_FUNC_GC_COLLECT_START=78 \
    AIRLOCK_GUEST_FUNC_GC_COLLECT_END=80; do
    k=${kv%%=*} v=${kv#*=}
    if grep -Eq "^#define (AIRLOCK_)?$k $v\$" "$out/layout.h"; then pass "LAYOUT.h $k = $v"; else fail "LAYOUT.h $k != $v"; fi
done
# A full heap can show the MemoryError format unformatted: a NUL now ends
# it after "memory allocation failed", its shared tail stays (messages.c).
if grep -qa 'memory allocation failed, allocating %u bytes' "$guest" &&
    ! grep -qa 'memory allocation failed, allocating %u bytes' "$out/mp.wasm" &&
    grep -qa 'allocating %u bytes' "$out/mp.wasm"; then
    pass "guest: the MemoryError format ends before its %u; its tail is intact"
else
    fail "guest: the MemoryError format still has its %u (or the original never had it)"
fi
for m in mp mpn; do
    imports=$(wasm-objdump -x -j Import "$out/$m.wasm" | grep -c '<- airlock\.' || true)
    exports=$(wasm-objdump -x -j Export "$out/$m.wasm" | grep -Ec '"airlock_(fuel|gc_collect_start|gc_collect_end)"' || true)
    if [ "$imports" = 5 ] && [ "$exports" = 3 ]; then pass "$m.wasm: airlock imports and exports present"; else fail "$m.wasm: imports $imports exports $exports"; fi
done
echo "     original guest: $(stat -c %s "$guest") bytes"
echo "     $(tail -1 "$out/mp.log" | sed 's/^airlock-patch: //')"
echo "     $(tail -1 "$out/mpn.log" | sed 's/^airlock-patch: //')"

if [ "${QUICK:-0}" = 1 ]; then
    echo "skipped: the real guest under wasm2c: QUICK=1"
else
    for m in mp mpn; do
        wasm2c "$out/$m.wasm" -n mp -o "$out/${m}_guest.c"
    done
    # both translations have the same interface; compile them in parallel
    # as the real build compiles it (the fuel import is cold: guest_fuel.h)
    $CC $GENCFLAGS -include src/runtime/guest_fuel.h -c "$out/mp_guest.c" -o "$out/mp_guest.o" &
    $CC $GENCFLAGS -include src/runtime/guest_fuel.h -c "$out/mpn_guest.c" -o "$out/mpn_guest.o" &
    wait
    cp "$out/mp_guest.h" "$out/mp.h"
    $CC $HCFLAGS -c tests/patch/guest_harness.c -o "$out/guest_harness.o"
    $CC -o "$out/guest" "$out/guest_harness.o" "$out/mp_guest.o" "$out/rt.o" -lm
    $CC -o "$out/guest_nofuel" "$out/guest_harness.o" "$out/mpn_guest.o" "$out/rt.o" -lm
    if "$out/guest" uctypes; then pass "guest: import uctypes raises ImportError, other modules import"; else fail "guest: uctypes"; fi
    # 2-block allocations after a collection left 1-block holes everywhere:
    # their fuel must barely grow with the number of holes (unpatched: 2.1x).
    a1=$("$out/guest" gcalloc 8000 8000) && a4=$("$out/guest" gcalloc 32000 8000) &&
        f1=${a1##* } && f4=${a4##* } && echo "     $a1; $a4" &&
        awk -v a="$f1" -v b="$f4" 'BEGIN { exit !(b < 1.5 * a) }' &&
        pass "guest: allocations after a collection cost the same with 4x the holes; objects intact" ||
        fail "guest: allocation cost grows with the holes left by a collection ($a1; $a4)"
    if "$out/guest" budget 50000000; then pass "guest: fuel budget stops 'while True' with KeyboardInterrupt (LAYOUT.h addresses)"; else fail "guest: budget"; fi
    # Wall clock (informational: on a shared machine it is noisy).
    best() { "$1" fib 27 5 | sed -n 's/.*best \([0-9.]*\) ms.*/\1/p'; }
    m1=$(best "$out/guest"); n1=$(best "$out/guest_nofuel"); m2=$(best "$out/guest"); n2=$(best "$out/guest_nofuel")
    "$out/guest" fib 27 1 | tail -1 | sed 's/^/     /'
    awk -v a="$m1" -v b="$m2" -v c="$n1" -v d="$n2" 'BEGIN {
        m = a < b ? a : b; n = c < d ? c : d;
        printf "     fib(27) wall clock, best of 10: metered %.1f ms, unmetered %.1f ms (%+.1f%%)\n", m, n, (m / n - 1) * 100 }'
    # Instructions (deterministic): fib(20) minus start-up, under callgrind.
    if command -v valgrind >/dev/null; then
        ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" fib "$2" 1 2>&1 | sed -n 's/.*Collected : //p'; }
        mi=$(( $(ir "$out/guest" 20) - $(ir "$out/guest" 1) ))
        ni=$(( $(ir "$out/guest_nofuel" 20) - $(ir "$out/guest_nofuel" 1) ))
        awk -v m="$mi" -v n="$ni" 'BEGIN { o = (m / n - 1) * 100;
            printf "     fib(20) instructions: metered %d, unmetered %d (%+.1f%%)\n", m, n, o; exit (o > 10) }' &&
            pass "fuel overhead on fib within 10% (instructions)" || fail "fuel overhead on fib above 10% (instructions)"
    else
        echo "skipped: fuel overhead on fib (instructions): valgrind not found"
    fi
fi

if [ "$fails" -ne 0 ]; then
    echo "$fails test(s) FAILED"
    exit 1
fi
echo "all patch tests passed"
