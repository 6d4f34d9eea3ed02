/*
 * Home slots of large hash tables from a mixed hash.
 *
 * MicroPython v1.27's mp_map_lookup and mp_set_lookup (py/map.c) put a key
 * at hash % alloc and probe linearly, and a small int hashes to itself.  A
 * dict whose int keys are mostly consecutive (a memo table: 1..n, plus the
 * scattered values met on the way) fills one long run of slots; every other
 * key whose home falls inside the run walks to its end, comparing at each
 * step: a memoised Collatz search with 43,000 keys took 1.19 s, against
 * 0.044 s for 40,000 random keys.  Tables grow only when full, so the runs
 * get long.
 *
 * This pass makes the home slot (h * 0x9E3779B1) ^ ((h * 0x9E3779B1) >> 16)
 * mod alloc when alloc >= MIXED_FROM, and leaves hash() itself alone.  Small
 * tables keep h % alloc, so a small dict of ascending int keys still
 * iterates in ascending order, as it did (and as CPython's insertion order
 * usually shows).  Every home slot is computed at this one place (the
 * rehash re-inserts through the same function), so lookups stay consistent.
 *
 * The shape, in a function (i32 table, i32 key, i32 kind) -> i32 that hashes
 * the key with `call F (i32.const 6, local.get 1)` (6 is MP_UNARY_OP_HASH):
 *     i32.rem_u (local.get H) (local.tee A (i32.load offset=K (local.get 0)))
 * exactly once, with K = 4 (mp_map_t: alloc is its second word) or K = 0
 * (mp_set_t), and the linear probe i32.rem_u (i32.add (local.get P) 1)
 * (local.get A).  Exactly one map and one set function must match.
 */
#include "patch.h"

#define MIXED_FROM 1024
#define MIX_MULTIPLIER ((int32_t)0x9E3779B1u)
#define MP_UNARY_OP_HASH 6

typedef struct {
    BinaryenExpressionRef start;  /* the rem_u of the home slot */
    BinaryenIndex hash_local, alloc_local;
    uint32_t alloc_offset;
    unsigned starts;
    bool hashes_key;
    bool probes;
} TableScan;

static bool local_index(BinaryenExpressionRef e, BinaryenIndex *idx)
{
    if (BinaryenExpressionGetId(e) != BinaryenLocalGetId())
        return false;
    *idx = BinaryenLocalGetGetIndex(e);
    return true;
}

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
        !local_index(BinaryenLoadGetPtr(v), &base) || base != 0)
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
    if (id == BinaryenCallId() && BinaryenCallGetNumOperands(e) == 2 &&
        expr_is_const_i32(BinaryenCallGetOperandAt(e, 0), &c) && c == MP_UNARY_OP_HASH &&
        local_index(BinaryenCallGetOperandAt(e, 1), &idx) && idx == 1)
        s->hashes_key = true;
    if (!is_rem_u(e))
        return;
    BinaryenExpressionRef l = BinaryenBinaryGetLeft(e), r = BinaryenBinaryGetRight(e);
    BinaryenIndex h, a;
    uint32_t k;
    if (local_index(l, &h) && is_alloc_tee(r, &a, &k) && (k == 0 || k == 4)) {
        s->start = e;
        s->hash_local = h;
        s->alloc_local = a;
        s->alloc_offset = k;
        s->starts++;
    }
}

/* rem_u (add (local.get P) (const 1)) (local.get A): checked in a second
 * walk, once A is known */
static void scan_probe(BinaryenExpressionRef e, void *ctx)
{
    TableScan *s = ctx;
    BinaryenIndex p, a;
    int32_t one;
    if (!is_rem_u(e) || !local_index(BinaryenBinaryGetRight(e), &a) || a != s->alloc_local)
        return;
    BinaryenExpressionRef l = BinaryenBinaryGetLeft(e);
    if (BinaryenExpressionGetId(l) == BinaryenBinaryId() && BinaryenBinaryGetOp(l) == BinaryenAddInt32() &&
        local_index(BinaryenBinaryGetLeft(l), &p) && expr_is_const_i32(BinaryenBinaryGetRight(l), &one) &&
        one == 1)
        s->probes = true;
}

static bool is_lookup_signature(BinaryenFunctionRef f)
{
    BinaryenType params[3] = {BinaryenTypeInt32(), BinaryenTypeInt32(), BinaryenTypeInt32()};
    return BinaryenFunctionGetParams(f) == BinaryenTypeCreate(params, 3) &&
           BinaryenFunctionGetResults(f) == BinaryenTypeInt32();
}

/* select(mix(h), h, load offset=K (table) >= MIXED_FROM) */
static BinaryenExpressionRef home_hash(BinaryenModuleRef m, const TableScan *s)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenExpressionRef prod[2];
    for (int i = 0; i < 2; i++)
        prod[i] = BinaryenBinary(m, BinaryenMulInt32(), BinaryenLocalGet(m, s->hash_local, i32),
                                 BinaryenConst(m, BinaryenLiteralInt32(MIX_MULTIPLIER)));
    BinaryenExpressionRef mixed = BinaryenBinary(
        m, BinaryenXorInt32(), prod[0],
        BinaryenBinary(m, BinaryenShrUInt32(), prod[1], BinaryenConst(m, BinaryenLiteralInt32(16))));
    BinaryenExpressionRef alloc = BinaryenLoad(m, 4, false, s->alloc_offset, 0, i32, BinaryenLocalGet(m, 0, i32));
    BinaryenExpressionRef large = BinaryenBinary(m, BinaryenGeUInt32(), alloc,
                                                 BinaryenConst(m, BinaryenLiteralInt32(MIXED_FROM)));
    return BinaryenSelect(m, large, mixed, BinaryenLocalGet(m, s->hash_local, i32), i32);
}

void map_hash_patch(BinaryenModuleRef m)
{
    TableScan found[2] = {{0}, {0}}; /* [0] set (alloc at 0), [1] map (alloc at 4) */
    const char *names[2] = {NULL, NULL};
    unsigned counts[2] = {0, 0};
    BinaryenIndex nf = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < nf; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (!func_is_defined(f) || !is_lookup_signature(f))
            continue;
        TableScan s = {0};
        walk(BinaryenFunctionGetBody(f), scan_table, &s);
        if (s.starts != 1 || !s.hashes_key)
            continue;
        walk(BinaryenFunctionGetBody(f), scan_probe, &s);
        if (!s.probes)
            continue;
        unsigned kind = s.alloc_offset == 4;
        counts[kind]++;
        found[kind] = s;
        names[kind] = BinaryenFunctionGetName(f);
    }
    if (counts[0] != 1 || counts[1] != 1)
        die("map hash: %u functions look like mp_map_lookup and %u like mp_set_lookup (want 1 "
            "each); the guest is not the pinned MicroPython build", counts[1], counts[0]);
    for (int k = 0; k < 2; k++)
        BinaryenBinarySetLeft(found[k].start, home_hash(m, &found[k]));
    note("map hash: mp_map_lookup = %s, mp_set_lookup = %s: mixed home slots from %d slots",
         names[1], names[0], MIXED_FROM);
}
