/*
 * Dicts and sets that stay fast whatever their keys: mixed home slots and
 * growth at three quarters full.
 *
 * MicroPython v1.27's mp_map_lookup and mp_set_lookup (py/map.c) put a key
 * at hash % alloc and probe linearly; a small int hashes to itself, and a
 * table grows only when an insertion has walked all of it and found no free
 * slot.  Measured on a memoised Collatz search (43,348 int keys: 1..19,999
 * plus the scattered values met on the way; a simulation of py/map.c's
 * probing): the consecutive keys fill one long run of slots, every
 * scattered key and every miss whose home falls in it walks to its end, and
 * a table filled to the last slot makes every miss walk a long way: 6,079
 * probes per lookup.  Either half of the fix alone leaves it slow: growing
 * at 3/4 full, 2,881 (the run stays); mixed homes in full tables, 182
 * (and 100,000 consecutive inserts go from 3.5 to 212 probes: the common
 * case made quadratic).  Both together: 6.6 for Collatz, 5.1 for
 * consecutive, 5.0 for random keys.
 *
 * The pass changes two things in each of the two functions:
 *
 *  - the home slot is mix(h) % alloc in tables of MIX_FROM slots or more,
 *    mix(h) = (h * 0x9E3779B1) ^ ((h * 0x9E3779B1) >> 16); hash() itself
 *    is unchanged, and smaller tables keep h % alloc, so a small dict of
 *    ascending int keys still iterates in ascending order.  Every home slot
 *    is computed at this one place (the rehash re-inserts through the same
 *    function), so lookups stay consistent; the probe stays linear, so
 *    deleting still clears a slot whose successor is empty;
 *  - an insertion first grows a table of GROW_FROM slots or more that one
 *    more key would take past 3/4 full (the function's own rehash, which
 *    allocates the next size and re-inserts).  Smaller tables are left to
 *    fill: MicroPython sizes a dict literal's table to its length, and
 *    scanning a dozen slots costs less than growing every literal.
 *
 * Besides, it makes what they do cheaper: the probe step without a division,
 * two small ints compared without mp_obj_equal, a small int key hashed
 * without calling mp_unary_op, and a rehash of GROW_FROM slots or more to
 * about twice the size (double_growth).
 *
 * The home slots and the growth rely on every hashed table having been built by these functions at
 * run time: a table in the data image laid out by identity homes would no
 * longer be found.  The ROM's maps are all ordered arrays (linear search,
 * untouched); map_table_check_rom fails the build if the data image holds
 * anything that looks like a fixed hashed one.
 *
 * The shape, in a function (i32 table, i32 key, i32 kind) -> i32 that hashes
 * the key with `call F (i32.const 6, local.get 1)` (6 is MP_UNARY_OP_HASH):
 *     i32.rem_u (local.get H) (local.tee A (i32.load offset=K (local.get 0)))
 * exactly once, K = 4 (mp_map_t: flags:3|used:29, alloc, table) or K = 0
 * (mp_set_t: alloc, used, table), the linear probe
 * i32.rem_u (i32.add (local.get P) 1) (local.get A), and one rehash: the
 * only function it calls with (local.get 0) alone, which calls the lookup
 * back to re-insert (third operand 1, MP_MAP_LOOKUP_ADD_IF_NOT_FOUND).
 * Exactly one map and one set function must match.
 */
#include "patch.h"

#include <string.h>

#define MIX_FROM 64
#define GROW_FROM 16
#define MIX_MULTIPLIER ((int32_t)0x9E3779B1u)
#define MP_UNARY_OP_HASH 6
#define LOOKUP_ADD 1                 /* MP_MAP_LOOKUP_ADD_IF_NOT_FOUND */
#define MAP_FIXED_OR_ORDERED 6       /* mp_map_t flag bits 1 and 2 */
#define MAP_USED_SHIFT 3
#define KEY_EQUAL "airlock$table_key_equal"
#define KEY_HASH "airlock$table_key_hash"

typedef struct {
    BinaryenExpressionRef home;  /* the rem_u of the home slot */
    BinaryenIndex hash_local, alloc_local;
    uint32_t alloc_offset;       /* 4: a map, 0: a set */
    unsigned homes;
    bool hashes_key;
    BinaryenExpressionRef hash_call; /* call F (6, local.get 1) */
    unsigned hash_calls;
    const char *hash_fn;
    const char *rehash;
    unsigned rehash_calls;
    bool two_rehashes;
    /* the linear probes, and the key comparisons `call E (local.get X, local.get 1)` */
    BinaryenExpressionRef probe[4], equal[4];
    unsigned nprobe, nequal;
    const char *equal_fn;
    bool two_equals;
} TableScan;

static bool is_rem_u(BinaryenExpressionRef e)
{
    return BinaryenExpressionGetId(e) == BinaryenBinaryId() && BinaryenBinaryGetOp(e) == BinaryenRemUInt32();
}

/* local.tee A (i32.load offset=K (local.get 0)) */
static bool is_alloc_tee(BinaryenExpressionRef e, BinaryenIndex *a, uint32_t *k)
{
    BinaryenIndex base;
    if (BinaryenExpressionGetId(e) != BinaryenLocalSetId() || !BinaryenLocalSetIsTee(e))
        return false;
    BinaryenExpressionRef v = BinaryenLocalSetGetValue(e);
    if (BinaryenExpressionGetId(v) != BinaryenLoadId() || BinaryenLoadGetBytes(v) != 4 ||
        !expr_is_local_get(BinaryenLoadGetPtr(v), &base) || base != 0)
        return false;
    *a = BinaryenLocalSetGetIndex(e);
    *k = BinaryenLoadGetOffset(v);
    return true;
}

static void scan_table(BinaryenExpressionRef e, void *ctx)
{
    TableScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    int32_t c;
    BinaryenIndex idx;
    if (id == BinaryenCallId()) {
        BinaryenIndex n = BinaryenCallGetNumOperands(e);
        if (n == 2 && expr_is_const_i32(BinaryenCallGetOperandAt(e, 0), &c) && c == MP_UNARY_OP_HASH &&
            expr_is_local_get(BinaryenCallGetOperandAt(e, 1), &idx) && idx == 1) {
            s->hashes_key = true;
            s->hash_call = e;
            s->hash_calls++;
            s->hash_fn = BinaryenCallGetTarget(e);
        }
        BinaryenIndex x;
        if (n == 2 && expr_is_local_get(BinaryenCallGetOperandAt(e, 0), &x) &&
            expr_is_local_get(BinaryenCallGetOperandAt(e, 1), &idx) && idx == 1) {
            const char *t = BinaryenCallGetTarget(e);
            if (s->equal_fn && strcmp(s->equal_fn, t) != 0)
                s->two_equals = true;
            s->equal_fn = t;
            if (s->nequal < 4)
                s->equal[s->nequal] = e;
            s->nequal++;
        }
        if (n == 1 && expr_is_local_get(BinaryenCallGetOperandAt(e, 0), &idx) && idx == 0) {
            const char *t = BinaryenCallGetTarget(e);
            if (s->rehash && strcmp(s->rehash, t) != 0)
                s->two_rehashes = true;
            s->rehash = t;
            s->rehash_calls++;
        }
    }
    if (!is_rem_u(e))
        return;
    BinaryenIndex h, a;
    uint32_t k;
    if (expr_is_local_get(BinaryenBinaryGetLeft(e), &h) && is_alloc_tee(BinaryenBinaryGetRight(e), &a, &k) &&
        (k == 0 || k == 4)) {
        s->home = e;
        s->hash_local = h;
        s->alloc_local = a;
        s->alloc_offset = k;
        s->homes++;
    }
}

/* rem_u (add (local.get P) (const 1)) (local.get A): checked in a second
 * walk, once A is known */
static void scan_probe(BinaryenExpressionRef e, void *ctx)
{
    TableScan *s = ctx;
    BinaryenIndex p, a;
    int32_t one;
    if (!is_rem_u(e) || !expr_is_local_get(BinaryenBinaryGetRight(e), &a) || a != s->alloc_local)
        return;
    BinaryenExpressionRef l = BinaryenBinaryGetLeft(e);
    if (BinaryenExpressionGetId(l) == BinaryenBinaryId() && BinaryenBinaryGetOp(l) == BinaryenAddInt32() &&
        expr_is_local_get(BinaryenBinaryGetLeft(l), &p) && expr_is_const_i32(BinaryenBinaryGetRight(l), &one) &&
        one == 1) {
        if (s->nprobe < 4)
            s->probe[s->nprobe] = e;
        s->nprobe++;
    }
}

typedef struct {
    const char *lookup;
    bool reinserts;
} Reinsert;

/* call LOOKUP (_, _, i32.const 1) */
static void scan_reinsert(BinaryenExpressionRef e, void *ctx)
{
    Reinsert *r = ctx;
    int32_t c;
    if (BinaryenExpressionGetId(e) == BinaryenCallId() && BinaryenCallGetNumOperands(e) == 3 &&
        strcmp(BinaryenCallGetTarget(e), r->lookup) == 0 &&
        expr_is_const_i32(BinaryenCallGetOperandAt(e, 2), &c) && c == LOOKUP_ADD)
        r->reinserts = true;
}

static bool is_lookup_signature(BinaryenFunctionRef f)
{
    BinaryenType params[3] = {BinaryenTypeInt32(), BinaryenTypeInt32(), BinaryenTypeInt32()};
    return BinaryenFunctionGetParams(f) == BinaryenTypeCreate(params, 3) &&
           BinaryenFunctionGetResults(f) == BinaryenTypeInt32();
}

/* The rehash named by the scan: (i32) -> (), re-inserting through `lookup`. */
static bool is_rehash_of(BinaryenModuleRef m, const TableScan *s, const char *lookup)
{
    if (!s->rehash || s->two_rehashes)
        return false;
    BinaryenFunctionRef r = BinaryenGetFunction(m, s->rehash);
    if (!r || !func_is_defined(r) || BinaryenFunctionGetParams(r) != BinaryenTypeInt32() ||
        BinaryenFunctionGetResults(r) != BinaryenTypeNone())
        return false;
    Reinsert ri = {lookup, false};
    walk(BinaryenFunctionGetBody(r), scan_reinsert, &ri);
    return ri.reinserts;
}

/* ---- building ---------------------------------------------------------------- */

static BinaryenExpressionRef c32(BinaryenModuleRef m, int32_t v)
{
    return BinaryenConst(m, BinaryenLiteralInt32(v));
}

static BinaryenExpressionRef table_word(BinaryenModuleRef m, uint32_t offset)
{
    return BinaryenLoad(m, 4, false, offset, 0, BinaryenTypeInt32(), BinaryenLocalGet(m, 0, BinaryenTypeInt32()));
}

static BinaryenExpressionRef bin(BinaryenModuleRef m, BinaryenOp op, BinaryenExpressionRef a,
                                 BinaryenExpressionRef b)
{
    return BinaryenBinary(m, op, a, b);
}

/* select(mix(h), h, alloc >= MIX_FROM) */
static BinaryenExpressionRef home_hash(BinaryenModuleRef m, const TableScan *s)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenExpressionRef prod[2];
    for (int i = 0; i < 2; i++)
        prod[i] = bin(m, BinaryenMulInt32(), BinaryenLocalGet(m, s->hash_local, i32), c32(m, MIX_MULTIPLIER));
    BinaryenExpressionRef mixed =
        bin(m, BinaryenXorInt32(), prod[0], bin(m, BinaryenShrUInt32(), prod[1], c32(m, 16)));
    BinaryenExpressionRef large = bin(m, BinaryenGeUInt32(), table_word(m, s->alloc_offset), c32(m, MIX_FROM));
    return BinaryenSelect(m, large, mixed, BinaryenLocalGet(m, s->hash_local, i32), i32);
}

/* Whether one more key takes the table past 3/4 full:
 *   alloc >= GROW_FROM && (used + 1) * 4 > alloc * 3
 * and, for a map, neither fixed nor an ordered array (those keep their own
 * growth).  Unsigned: alloc * 3 and (used + 1) * 4 fit in 32 bits for any
 * table that fits in memory. */
static BinaryenExpressionRef needs_growth(BinaryenModuleRef m, bool is_map)
{
    uint32_t alloc_off = is_map ? 4 : 0;
    BinaryenExpressionRef used = is_map ? bin(m, BinaryenShrUInt32(), table_word(m, 0), c32(m, MAP_USED_SHIFT))
                                        : table_word(m, 4);
    BinaryenExpressionRef full =
        bin(m, BinaryenGtUInt32(), bin(m, BinaryenMulInt32(), bin(m, BinaryenAddInt32(), used, c32(m, 1)), c32(m, 4)),
            bin(m, BinaryenMulInt32(), table_word(m, alloc_off), c32(m, 3)));
    BinaryenExpressionRef big = bin(m, BinaryenGeUInt32(), table_word(m, alloc_off), c32(m, GROW_FROM));
    BinaryenExpressionRef grow = bin(m, BinaryenAndInt32(), big, full);
    if (is_map) {
        BinaryenExpressionRef hashed =
            BinaryenUnary(m, BinaryenEqZInt32(), bin(m, BinaryenAndInt32(), table_word(m, 0), c32(m, MAP_FIXED_OR_ORDERED)));
        grow = bin(m, BinaryenAndInt32(), grow, hashed);
    }
    return grow;
}

/* (P + 1) % A  ->  (P + 1) - A * (P + 1 == A): the probe never leaves the
 * table (P < A), so the division of every step is not needed.  In place:
 * the rem_u node becomes the sub. */
static void next_slot_without_division(BinaryenModuleRef m, BinaryenExpressionRef probe)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenIndex p = BinaryenLocalGetGetIndex(BinaryenBinaryGetLeft(BinaryenBinaryGetLeft(probe)));
    BinaryenIndex a = BinaryenLocalGetGetIndex(BinaryenBinaryGetRight(probe));
    BinaryenExpressionRef next = bin(m, BinaryenAddInt32(), BinaryenLocalGet(m, p, i32), c32(m, 1));
    BinaryenExpressionRef wraps = bin(m, BinaryenEqInt32(), next, BinaryenLocalGet(m, a, i32));
    BinaryenBinarySetOp(probe, BinaryenSubInt32());
    BinaryenBinarySetRight(probe, bin(m, BinaryenMulInt32(), BinaryenLocalGet(m, a, i32), wraps));
}

/* KEY_EQUAL(a, b) = (a & b & 1) ? a == b : E(a, b): two small ints (tag
 * bit 1) are equal exactly when their words are (a small int is never
 * stored any other way), so a probe that meets another int key skips
 * mp_obj_equal.  (mp_set_lookup compares with mp_obj_equal alone, never
 * the words first, so the word test must answer both ways.) */
static void add_key_equal(BinaryenModuleRef m, const char *equal_fn)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenType params[2] = {i32, i32};
    BinaryenExpressionRef both_small =
        bin(m, BinaryenAndInt32(), bin(m, BinaryenAndInt32(), BinaryenLocalGet(m, 0, i32), BinaryenLocalGet(m, 1, i32)),
            c32(m, 1));
    BinaryenExpressionRef same = bin(m, BinaryenEqInt32(), BinaryenLocalGet(m, 0, i32), BinaryenLocalGet(m, 1, i32));
    BinaryenExpressionRef args[2] = {BinaryenLocalGet(m, 0, i32), BinaryenLocalGet(m, 1, i32)};
    BinaryenExpressionRef body = BinaryenIf(m, both_small, same, BinaryenCall(m, equal_fn, args, 2, i32));
    if (BinaryenGetFunction(m, KEY_EQUAL))
        die("map table: internal name %s already taken", KEY_EQUAL);
    BinaryenAddFunction(m, KEY_EQUAL, BinaryenTypeCreate(params, 2), i32, NULL, 0, body);
}

/* KEY_HASH(op, k) = (k & 1) ? k : F(op, k), called with op 6 only: the hash
 * of a small int is the int itself (mp_unary_op returns its argument for
 * MP_UNARY_OP_HASH), so an int key is hashed without the call. */
static void add_key_hash(BinaryenModuleRef m, const char *hash_fn)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenType params[2] = {i32, i32};
    BinaryenExpressionRef small = bin(m, BinaryenAndInt32(), BinaryenLocalGet(m, 1, i32), c32(m, 1));
    BinaryenExpressionRef args[2] = {BinaryenLocalGet(m, 0, i32), BinaryenLocalGet(m, 1, i32)};
    BinaryenExpressionRef body =
        BinaryenIf(m, small, BinaryenLocalGet(m, 1, i32), BinaryenCall(m, hash_fn, args, 2, i32));
    if (BinaryenGetFunction(m, KEY_HASH))
        die("map table: internal name %s already taken", KEY_HASH);
    BinaryenAddFunction(m, KEY_HASH, BinaryenTypeCreate(params, 2), i32, NULL, 0, body);
}

/* ---- the rehash's next size ---- */

typedef struct {
    uint32_t alloc_offset;
    BinaryenExpressionRef plus_one;  /* (local.tee A (load offset=K (local.get 0))) + 1 */
    BinaryenExpressionRef beyond;    /* ((N >> 1) + N) | 1 */
    BinaryenIndex alloc_local;
    unsigned nplus, nbeyond;
} SizeScan;

/* ((local.get N) >> 1) + (local.get N), the left side of `| 1` */
static bool is_one_and_a_half(BinaryenExpressionRef e)
{
    BinaryenIndex a = 0, b = 1;
    int32_t c = 0;
    if (BinaryenExpressionGetId(e) != BinaryenBinaryId() || BinaryenBinaryGetOp(e) != BinaryenAddInt32())
        return false;
    BinaryenExpressionRef half = BinaryenBinaryGetLeft(e);
    return BinaryenExpressionGetId(half) == BinaryenBinaryId() && BinaryenBinaryGetOp(half) == BinaryenShrUInt32() &&
           expr_is_local_get(BinaryenBinaryGetLeft(half), &a) && expr_is_const_i32(BinaryenBinaryGetRight(half), &c) &&
           c == 1 && expr_is_local_get(BinaryenBinaryGetRight(e), &b) && a == b;
}

static void scan_size(BinaryenExpressionRef e, void *ctx)
{
    SizeScan *s = ctx;
    int32_t c = 0;
    uint32_t k = 0;
    if (BinaryenExpressionGetId(e) != BinaryenBinaryId() || !expr_is_const_i32(BinaryenBinaryGetRight(e), &c) || c != 1)
        return;
    if (BinaryenBinaryGetOp(e) == BinaryenAddInt32() && is_alloc_tee(BinaryenBinaryGetLeft(e), &s->alloc_local, &k) &&
        k == s->alloc_offset) {
        s->plus_one = e;
        s->nplus++;
    }
    if (BinaryenBinaryGetOp(e) == BinaryenOrInt32() && is_one_and_a_half(BinaryenBinaryGetLeft(e))) {
        s->beyond = e;
        s->nbeyond++;
    }
}

/* MicroPython's rehash asks for the first size of its table (primes about
 * 1.33x apart, up to 21,283) at least alloc + 1, and beyond the table for
 * (alloc + 1) * 1.5.  Tables of GROW_FROM slots or more now ask for
 * 2 * alloc + 1, and beyond the table get that itself (odd): about twice the
 * size, so a table that grows to n keys re-inserts about n keys in all
 * instead of 3n.  Smaller tables grow as before (a small dict stays small). */
static void double_growth(BinaryenModuleRef m, const char *rehash, uint32_t alloc_offset)
{
    BinaryenType i32 = BinaryenTypeInt32();
    SizeScan s = {.alloc_offset = alloc_offset};
    walk(BinaryenFunctionGetBody(BinaryenGetFunction(m, rehash)), scan_size, &s);
    if (s.nplus != 1 || s.nbeyond != 1)
        die("map table: rehash %s does not compute its next size as alloc + 1 and ((n >> 1) + n) | 1 once each "
            "(%u, %u)", rehash, s.nplus, s.nbeyond);
    BinaryenExpressionRef tee = BinaryenBinaryGetLeft(s.plus_one);
    BinaryenExpressionRef twice = bin(m, BinaryenShlInt32(), tee, c32(m, 1));
    BinaryenExpressionRef large = bin(m, BinaryenGeUInt32(), BinaryenLocalGet(m, s.alloc_local, i32), c32(m, GROW_FROM));
    BinaryenBinarySetLeft(s.plus_one, BinaryenSelect(m, large, twice, BinaryenLocalGet(m, s.alloc_local, i32), i32));
    BinaryenBinarySetLeft(s.beyond, BinaryenBinaryGetRight(BinaryenBinaryGetLeft(s.beyond)));
}

/* body := { if (kind is an insertion && needs_growth) rehash(table); body } */
static void grow_first(BinaryenModuleRef m, BinaryenFunctionRef f, const TableScan *s, bool is_map)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenExpressionRef kind = BinaryenLocalGet(m, 2, i32);
    /* a map is asked for exactly ADD; a set also for ADD|REMOVE (toggle) */
    BinaryenExpressionRef inserts = is_map ? bin(m, BinaryenEqInt32(), kind, c32(m, LOOKUP_ADD))
                                           : bin(m, BinaryenAndInt32(), kind, c32(m, LOOKUP_ADD));
    BinaryenExpressionRef arg = BinaryenLocalGet(m, 0, i32);
    BinaryenExpressionRef rehash = BinaryenCall(m, s->rehash, &arg, 1, BinaryenTypeNone());
    BinaryenExpressionRef grow = BinaryenIf(m, inserts, BinaryenIf(m, needs_growth(m, is_map), rehash, NULL), NULL);
    BinaryenExpressionRef body[2] = {grow, BinaryenFunctionGetBody(f)};
    BinaryenFunctionSetBody(f, BinaryenBlock(m, NULL, body, 2, i32));
}

void map_table_patch(BinaryenModuleRef m)
{
    TableScan found[2] = {{0}, {0}}; /* [0] set (alloc at 0), [1] map (alloc at 4) */
    BinaryenFunctionRef funcs[2] = {NULL, NULL};
    unsigned counts[2] = {0, 0};
    BinaryenIndex nf = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < nf; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (!func_is_defined(f) || !is_lookup_signature(f))
            continue;
        TableScan s = {0};
        walk(BinaryenFunctionGetBody(f), scan_table, &s);
        if (s.homes != 1 || !s.hashes_key)
            continue;
        walk(BinaryenFunctionGetBody(f), scan_probe, &s);
        if (s.nprobe != 1 || !is_rehash_of(m, &s, BinaryenFunctionGetName(f)))
            continue;
        unsigned kind = s.alloc_offset == 4;
        counts[kind]++;
        found[kind] = s;
        funcs[kind] = f;
    }
    if (counts[0] != 1 || counts[1] != 1)
        die("map table: %u functions look like mp_map_lookup and %u like mp_set_lookup (want 1 "
            "each); the guest is not the pinned MicroPython build", counts[1], counts[0]);
    const char *equal_fn = found[0].equal_fn;
    for (int k = 0; k < 2; k++)
        if (!equal_fn || found[k].two_equals || strcmp(found[k].equal_fn, equal_fn) != 0 ||
            found[k].nequal == 0 || found[k].nequal > 4)
            die("map table: the key comparison (mp_obj_equal) is not one function called 1 to 4 times "
                "in each of %s and %s", BinaryenFunctionGetName(funcs[1]), BinaryenFunctionGetName(funcs[0]));
    add_key_equal(m, equal_fn);
    const char *hash_fn = found[0].hash_fn;
    if (found[0].hash_calls != 1 || found[1].hash_calls != 1 || strcmp(found[1].hash_fn, hash_fn) != 0)
        die("map table: %s and %s do not hash the key once each with one function (%s, %s)", BinaryenFunctionGetName(funcs[1]),
            BinaryenFunctionGetName(funcs[0]), found[1].hash_fn, hash_fn);
    add_key_hash(m, hash_fn);
    for (int k = 0; k < 2; k++) {
        BinaryenBinarySetLeft(found[k].home, home_hash(m, &found[k]));
        next_slot_without_division(m, found[k].probe[0]);
        for (unsigned i = 0; i < found[k].nequal; i++)
            BinaryenCallSetTarget(found[k].equal[i], KEY_EQUAL);
        BinaryenCallSetTarget(found[k].hash_call, KEY_HASH);
        double_growth(m, found[k].rehash, found[k].alloc_offset);
        grow_first(m, funcs[k], &found[k], k == 1);
    }
    note("map table: mp_map_lookup = %s (rehash %s), mp_set_lookup = %s (rehash %s), key comparison %s: "
         "mixed homes from %d slots, growth at 3/4 and to twice the size from %d, small ints hashed inline (hash %s)",
         BinaryenFunctionGetName(funcs[1]), found[1].rehash, BinaryenFunctionGetName(funcs[0]), found[0].rehash,
         equal_fn, MIX_FROM, GROW_FROM, hash_fn);
}

/* ---- the data image ------------------------------------------------------------ */

/* Does `a` hold a fixed hash-table mp_map_t large enough for mixed homes:
 * flags fixed and not ordered, used <= alloc, the table inside the image,
 * exactly `used` live keys, each a qstr, a small int or a pointer into the
 * image?  (Asked for ordered maps of any size, the same test finds the
 * pinned ROM's 60 module and type tables.) */
static bool fixed_hash_map_at(const DataImage *img, uint32_t a)
{
    uint32_t w0, alloc, table;
    if (!img_read32(img, a, &w0) || !img_read32(img, a + 4, &alloc) || !img_read32(img, a + 8, &table))
        return false;
    uint32_t used = w0 >> MAP_USED_SHIFT;
    if ((w0 & MAP_FIXED_OR_ORDERED) != 2 || alloc < MIX_FROM || used > alloc || alloc > UINT32_MAX / 8 ||
        !img_ptr(img, table, 8 * alloc))
        return false;
    uint32_t live = 0;
    for (uint32_t i = 0; i < alloc; i++) {
        uint32_t k;
        img_read32(img, table + 8 * i, &k);
        if (k == 0 || k == 4) /* MP_OBJ_NULL, MP_OBJ_SENTINEL */
            continue;
        bool qstr = (k & 7) == 2, small_int = (k & 1) == 1, rom_obj = (k & 3) == 0 && img_ptr(img, k, 4);
        if (!qstr && !small_int && !rom_obj)
            return false;
        live++;
    }
    return live == used;
}

void map_table_check_rom(const DataImage *img)
{
    for (size_t si = 0; si < img->nsegs; si++) {
        const DataSeg *s = &img->segs[si];
        for (uint32_t a = (s->addr + 3) & ~3u; a + 12 <= s->addr + s->len; a += 4)
            if (fixed_hash_map_at(img, a))
                die("map table: the data image holds a fixed hash table at %u; its slots were placed by "
                    "identity hashes, which the mixed homes would no longer find", a);
    }
}
