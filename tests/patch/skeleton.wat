;; A tiny module with the same GC shapes as the pinned MicroPython guest
;; (see guests/patch/gchook.c), plus functions the fuel tests call.
;; Layout: "mp_state_ctx" at 800, area at 868, gc_stack_overflow at 900,
;; gc_alloc_amount at 1000, gc_last_free_area at 1104, call depth at 1196,
;; pending flag at 1200;
;; Emscripten's __THREW__ and __threwValue at 3000 and 3004.
(module
  (import "env" "host_nop" (func $host_nop))
  (import "env" "invoke_ii" (func $invoke_ii (param i32 i32) (result i32)))
  (import "env" "_emscripten_throw_longjmp" (func $throw_longjmp))
  (global $sp (mut i32) (i32.const 60000)) ;; global 0: the shadow stack pointer
  (memory (export "memory") 2)
  (func $gc_collect_start
    (i32.store offset=1000 (i32.const 0) (i32.const 0))
    (i32.store offset=900 (i32.const 0) (i32.const 0))
    (drop (i32.add (i32.const 800) (i32.const 68)))
    (call $mark (i32.const 0)))
  (func $mark (param i32)
    ;; 16-byte blocks: 2-bit alloc-table slot is (offset >> 3) & 6
    (drop (i32.and (i32.shr_u (local.get 0) (i32.const 3)) (i32.const 6))))
  (func $gc_collect_end
    (drop (i32.add (i32.const 800) (i32.const 68)))
    (i32.store offset=1104 (i32.const 0) (i32.const 868))
    (if (i32.load offset=900 (i32.const 0))
      (then (i32.store offset=900 (i32.const 0) (i32.const 0)))))
  (func $gc_collect
    (i32.store8 offset=1200 (i32.const 0) (i32.const 1)))
  (func $counter
    (local i32)
    (i32.store offset=1196 (i32.const 0)
      (local.tee 0 (i32.add (i32.load offset=1196 (i32.const 0)) (i32.const -1))))
    (block
      (br_if 0 (local.get 0))
      (br_if 0 (i32.eqz (i32.load8_u offset=1200 (i32.const 0))))
      (i32.store8 offset=1200 (i32.const 0) (i32.const 0))
      (call $gc_collect_start)
      (call $gc_collect_end)))

  ;; count up to n: the loop body is the region that pays per iteration (a
  ;; loop with no call: the counter is a local here, FUEL_LOCAL_COUNTER)
  (func (export "spin") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  ;; two nested loops: n*m inner iterations
  (func (export "nested") (param $n i32) (param $m i32)
    (local $i i32) (local $j i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $m))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n)))))
  ;; a switch: the entry pays up to the br_table, each case for itself
  ;; (the host call keeps it from being an unmetered leaf: 1 + 32 units)
  (func (export "switch") (param $k i32) (result i32)
    (call $host_nop)
    (block $c2
      (block $c1
        (block $c0
          (br_table $c0 $c1 $c2 (local.get $k)))
        (return (i32.add (i32.const 1) (i32.add (i32.const 2) (i32.const 3)))))
      (return (i32.const 7)))
    (i32.mul (i32.const 6) (i32.const 7)))
  (func (export "fill") (param $n i32)
    (memory.fill (i32.const 4096) (i32.const 0) (local.get $n)))
  (func (export "copy") (param $n i32)
    (memory.copy (i32.const 8192) (i32.const 4096) (local.get $n)))
  (func $leaf (result i32) (i32.add (i32.const 40) (i32.const 2)))
  (func (export "call_leaf") (result i32) (call $leaf))
  (func (export "call_host") (call $host_nop))
  (func (export "call_gc") (call $gc_collect))
  (func (export "call_counter") (call $counter))
;; direct recursion in a function that is neither exported nor in the
  ;; table: its entry must still check (it is in a call cycle)
  (func $down (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (call $down (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "deep") (param $n i32) (result i32) (call $down (local.get $n)))
  ;; a helper (not a leaf: it calls the host) in no call cycle: its entry is
  ;; charged but not checked
  (func $helper (param $n i32) (result i32)
    (call $host_nop)
    (i32.mul (i32.add (local.get $n) (i32.const 1)) (i32.add (local.get $n) (i32.const 2))))
  (func (export "use_helper") (param $n i32) (result i32)
    (call $host_nop)
    (call $helper (call $helper (local.get $n))))
  ;; folded entries (guests/patch/fuel.c): $helper2 only calls $helper, both
  ;; are charge-only and cost under FUEL_FOLD_MAX, so neither entry charges;
  ;; a loop through them pays for both at its header on every iteration
  (func $helper2 (param $n i32) (result i32)
    (call $helper (i32.add (local.get $n) (i32.const 1))))
  (func (export "spin_helper") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (drop (call $helper2 (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  ;; a folded function with a loop of its own: the loop still checks
  (func $spin_inner (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func (export "spin_folded") (param $n i32) (result i32)
    (call $spin_inner (local.get $n)))
;; a loop that calls the host: the counter the host reads is exact at each
  ;; call, and what the host adds to it stays
  (func (export "spin_host") (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (call $host_nop)
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func $recurse (export "recurse") (param $n i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (i32.const 0))
      (else (i32.add (i32.const 1)
              (call $recurse (i32.sub (local.get $n) (i32.const 1)))))))
;; vstr_ensure_extra's shape (guests/patch/vstrgrow.c): vstr_t {alloc, len,
  ;; buf, fixed_buf} at offsets 0, 4, 8, 12; $renew stands for m_renew.
  (func $renew (param i32 i32) (result i32) (local.get 0))
  (func $vstr_ensure_extra (export "vstr_ensure_extra") (param $0 i32) (param $1 i32)
    (block $ok
      (br_if $ok (i32.le_u
        (local.tee $1 (i32.add (i32.load offset=4 (local.get $0)) (local.get $1)))
        (i32.load (local.get $0))))
      (if (i32.load8_u offset=12 (local.get $0)) (then (unreachable)))
      (i32.store offset=8 (local.get $0)
        (call $renew (i32.load offset=8 (local.get $0))
          (local.tee $1 (i32.add (i32.and (local.get $1) (i32.const -8)) (i32.const 24)))))
      (i32.store (local.get $0) (local.get $1))))
;; qstr_find_strn's shape (guests/patch/qstrfind.c), a linear search only:
  ;; the pool chain head at 1300; pool = prev, total_prev_len, alloc, len,
  ;; hashes*, lengths*, qstrs[] (texts are not compared here).
;; gc_alloc's shape (guests/patch/gcalloc.c), not called: the block count,
;; the area steps and index loads of its two searches, the 1-block search's
;; full mark, gc_last_free_area, the last-used-block update
  (func $gc_alloc (export "gc_alloc") (param $0 i32) (param $1 i32) (result i32)
    (local $a i32) (local $x i32) (local $n i32) (local $i i32) (local $e i32) (local $t i32)
    (drop (i32.lt_u (local.tee $x (i32.add (local.get $0) (i32.const 15))) (i32.const 16)))
    (local.set $n (i32.shr_u (local.get $x) (i32.const 4)))
    (local.set $a (i32.load offset=1104 (i32.const 0)))
    (loop $one
      (drop (i32.ge_u (local.tee $i (i32.load offset=24 (local.get $a))) (i32.load offset=8 (local.get $a))))
      (i32.store offset=24 (local.get $a) (i32.shr_u (i32.add (local.get $i) (i32.const 1)) (i32.const 2)))
      (br_if $one (local.tee $a (i32.load (local.get $a)))))
    (local.set $a (i32.load offset=1104 (i32.const 0)))
    (loop $many
      (drop (i32.ge_u (local.tee $i (i32.load offset=24 (local.get $a))) (i32.load offset=8 (local.get $a))))
      (br_if $many (local.tee $a (i32.load (local.get $a)))))
    (i32.store offset=1104 (i32.const 0) (local.get $a))
    (i32.store offset=28 (local.get $a)
      (select (local.tee $t (i32.load offset=28 (local.get $a))) (local.get $e)
              (i32.gt_u (local.get $t) (local.get $e))))
    (local.get $e))
  (func $qstr_find_strn (export "qstr_find_strn") (param $str i32) (param $len i32) (result i32)
    (local $h i32) (local $pool i32) (local $i i32) (local $p i32)
    (if (i32.eqz (local.get $len)) (then (return (i32.const 1))))
    (local.set $h (i32.const 5381))
    (local.set $p (local.get $str))
    (loop $hash
      (local.set $h (i32.xor (i32.mul (local.get $h) (i32.const 33)) (i32.load8_u (local.get $p))))
      (br_if $hash (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))
                             (i32.add (local.get $str) (local.get $len)))))
    (local.set $h (i32.and (local.get $h) (i32.const 65535)))
    (local.set $pool (i32.load offset=1300 (i32.const 0)))
    (block $done
      (loop $pools
        (br_if $done (i32.eqz (local.get $pool)))
        (local.set $i (i32.const 0))
        (block $next
          (loop $scan
            (br_if $next (i32.ge_u (local.get $i) (i32.load offset=12 (local.get $pool))))
            (if (i32.and
                  (i32.eq (local.get $h) (i32.load16_u (i32.add (i32.load offset=16 (local.get $pool))
                                                                (i32.shl (local.get $i) (i32.const 1)))))
                  (i32.eq (local.get $len) (i32.load8_u (i32.add (i32.load offset=20 (local.get $pool))
                                                                 (local.get $i)))))
              (then (return (i32.add (local.get $i)
                                     (i32.and (i32.load offset=4 (local.get $pool)) (i32.const 0x7fffffff))))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scan)))
        (local.set $pool (i32.load (local.get $pool)))
        (br $pools)))
    (i32.const 0))
;; find_subbytes's and str_count's shapes (guests/patch/strfind.c): $memcmp
  ;; stands for memcmp, $utf8_next for utf8_next_char; str_count takes a
  ;; block {haystack, hlen, needle, nlen} and whether it counts bytes.
  (func $memcmp (param $a i32) (param $b i32) (param $n i32) (result i32)
    (local $d i32)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (br_if $done (local.tee $d (i32.sub (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b)))))
        (local.set $a (i32.add (local.get $a) (i32.const 1)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $d))
  (func $find_subbytes (export "find_subbytes") (param $h i32) (param $hlen i32) (param $n i32) (param $nlen i32)
    (param $dir i32) (result i32)
    (local $fwd i32) (local $i i32) (local $end i32)
    (if (i32.lt_u (local.get $hlen) (local.get $nlen)) (then (return (i32.const 0))))
    (local.set $fwd (i32.gt_s (local.get $dir) (i32.const 0)))
    (local.set $end (select (i32.sub (local.get $hlen) (local.get $nlen)) (i32.const 0) (local.get $fwd)))
    (local.set $i (select (i32.const 0) (i32.sub (local.get $hlen) (local.get $nlen)) (local.get $fwd)))
    (loop $l
      (if (i32.eqz (call $memcmp (i32.add (local.get $h) (local.get $i)) (local.get $n) (local.get $nlen)))
        (then (return (i32.add (local.get $h) (local.get $i)))))
      (if (i32.eq (local.get $i) (local.get $end)) (then (return (i32.const 0))))
      (local.set $i (i32.add (local.get $i) (local.get $dir)))
      (br $l))
    (i32.const 0))
  (func $utf8_next (param $p i32) (result i32)
    (loop $l
      (br_if $l (i32.eq (i32.and (i32.load8_u (local.tee $p (i32.add (local.get $p) (i32.const 1)))) (i32.const 0xc0))
                        (i32.const 0x80))))
    (local.get $p))
  (func $str_count (export "str_count") (param $b i32) (param $bytes i32) (result i32)
    (local $c i32) (local $p i32) (local $e i32) (local $n i32) (local $len i32) (local $t i32)
    (local.set $p (i32.load (local.get $b)))
    (local.set $e (i32.add (local.get $p) (i32.load offset=4 (local.get $b))))
    (local.set $n (i32.load offset=8 (local.get $b)))
    (local.set $len (i32.load offset=12 (local.get $b)))
    (if (i32.gt_u (local.tee $t (i32.add (local.get $p) (local.get $len))) (local.get $e))
      (then (return (i32.const 0))))
    (local.set $c (i32.const 0))
    (loop $scan
      (block $next
        (block $miss
          (br_if $miss (call $memcmp (local.get $p) (local.get $n) (local.get $len)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (local.set $p (local.get $t))
          (br $next))
        (if (local.get $bytes)
          (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
          (else (local.set $p (call $utf8_next (local.get $p))))))
      (br_if $scan (i32.le_u (local.tee $t (i32.add (local.get $p) (local.get $len))) (local.get $e))))
    (local.get $c))
;; mp_map_lookup's and mp_set_lookup's shapes (guests/patch/maptable.c): the
  ;; key hashed by $unary_op(6, key), home slot hash % alloc (alloc at offset
  ;; 4 of a map, 0 of a set), one key comparison with the table's first key,
  ;; the linear probe, and a rehash that counts its calls at offset 12 and
  ;; stores the size it would ask for at 16 (its
  ;; re-insertion never runs).  Each returns home << 20 | next slot << 4 |
  ;; the comparison's result ($equal says 1: "it was called").
  (func $unary_op (param i32 i32) (result i32) (local.get 1))
  (func $equal (param i32 i32) (result i32) (i32.const 1))
  (func $map_rehash (param $0 i32)
    (local $a i32) (local $n i32)
    (i32.store offset=12 (local.get 0) (i32.add (i32.load offset=12 (local.get 0)) (i32.const 1)))
    (local.set $n (i32.add (local.tee $a (i32.load offset=4 (local.get 0))) (i32.const 1)))
    (i32.store offset=16 (local.get 0)
      (select (local.get $n) (i32.or (i32.add (i32.shr_u (local.get $n) (i32.const 1)) (local.get $n)) (i32.const 1))
              (i32.le_u (local.get $n) (i32.const 100))))
    (if (i32.eqz (local.get 0)) (then (drop (call $map_lookup (local.get 0) (i32.const 0) (i32.const 1))))))
  (func $map_lookup (export "map_lookup") (param $0 i32) (param $1 i32) (param $2 i32) (result i32)
    (local $h i32) (local $a i32) (local $p i32) (local $k i32)
    (if (i32.eqz (i32.load offset=4 (local.get 0))) (then (call $map_rehash (local.get 0))))
    (local.set $h (call $unary_op (i32.const 6) (local.get $1)))
    (local.set $k (i32.load (i32.load offset=8 (local.get 0))))
    (local.set $p (i32.rem_u (local.get $h) (local.tee $a (i32.load offset=4 (local.get $0)))))
    (i32.or (i32.or (i32.shl (local.get $p) (i32.const 20))
                    (i32.shl (i32.rem_u (i32.add (local.get $p) (i32.const 1)) (local.get $a)) (i32.const 4)))
            (call $equal (local.get $k) (local.get $1))))
  (func $set_rehash (param $0 i32)
    (local $a i32) (local $n i32)
    (i32.store offset=12 (local.get 0) (i32.add (i32.load offset=12 (local.get 0)) (i32.const 1)))
    (local.set $n (i32.add (local.tee $a (i32.load (local.get 0))) (i32.const 1)))
    (i32.store offset=16 (local.get 0)
      (select (local.get $n) (i32.or (i32.add (i32.shr_u (local.get $n) (i32.const 1)) (local.get $n)) (i32.const 1))
              (i32.le_u (local.get $n) (i32.const 100))))
    (if (i32.eqz (local.get 0)) (then (drop (call $set_lookup (local.get 0) (i32.const 0) (i32.const 1))))))
  (func $set_lookup (export "set_lookup") (param $0 i32) (param $1 i32) (param $2 i32) (result i32)
    (local $h i32) (local $a i32) (local $p i32) (local $k i32)
    (if (i32.eqz (i32.load (local.get 0))) (then (call $set_rehash (local.get 0))))
    (local.set $h (call $unary_op (i32.const 6) (local.get $1)))
    (local.set $k (i32.load (i32.load offset=8 (local.get 0))))
    (local.set $p (i32.rem_u (local.get $h) (local.tee $a (i32.load (local.get $0)))))
    (i32.or (i32.or (i32.shl (local.get $p) (i32.const 20))
                    (i32.shl (i32.rem_u (i32.add (local.get $p) (i32.const 1)) (local.get $a)) (i32.const 4)))
            (call $equal (local.get $k) (local.get $1))))
  ;; Emscripten's setjmp/longjmp calling convention (guests/patch/sjlj.c)
  (table 4 funcref)
  (elem (i32.const 1) $sj_thrower $sj_plain)
  (func $setThrew (export "setThrew") (param i32 i32)
    (if (i32.eqz (i32.load (i32.const 3000)))
      (then (i32.store (i32.const 3004) (local.get 1))
            (i32.store (i32.const 3000) (local.get 0)))))
  ;; longjmp(env = x, 1), from a frame it never pops
  (func $sj_thrower (param $x i32) (result i32)
    (global.set $sp (i32.sub (global.get $sp) (i32.const 64)))
    (call $setThrew (local.get $x) (i32.const 1))
    (call $throw_longjmp)
    (unreachable))
  (func $sj_plain (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 1)))
  (func $sj_middle (param $x i32) (result i32)
    (i32.add (call $sj_thrower (local.get $x)) (i32.const 100)))
  (func (export "sj_const_throw") (param $x i32) (result i32) (call $invoke_ii (i32.const 1) (local.get $x)))
  (func (export "sj_const_plain") (param $x i32) (result i32) (call $invoke_ii (i32.const 2) (local.get $x)))
  (func (export "sj_any") (param $k i32) (param $x i32) (result i32) (call $invoke_ii (local.get $k) (local.get $x)))
  (func (export "sj_escape") (param $x i32) (result i32) (call $sj_middle (local.get $x)))
  (func (export "sj_sp") (result i32) (global.get $sp))
  ;; invoke sites as Emscripten brackets them: __THREW__ cleared before (a
  ;; local set to a constant may come between), read and cleared after;
  ;; they return __THREW__ * 1000 + the call's result
  (func (export "sj_site_throw") (param $x i32) (result i32) (local $r i32) (local $t i32)
    (i32.store (i32.const 3000) (i32.const 0))
    (local.set $r (call $invoke_ii (i32.const 1) (local.get $x)))
    (local.set $t (i32.load (i32.const 3000)))
    (i32.store (i32.const 3000) (i32.const 0))
    (i32.add (i32.mul (local.get $t) (i32.const 1000)) (local.get $r)))
  (func (export "sj_site_plain") (param $x i32) (result i32) (local $r i32) (local $t i32)
    (i32.store offset=2990 (i32.const 10) (i32.const 0))
    (local.set $r (i32.const -1))
    (local.set $r (call $invoke_ii (i32.const 2) (local.get $x)))
    (local.set $t (i32.load offset=3000 (i32.const 0)))
    (i32.store (i32.const 3000) (i32.const 0))
    (i32.add (i32.mul (local.get $t) (i32.const 1000)) (local.get $r)))
)
