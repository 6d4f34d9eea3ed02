/*
 * Geometric growth of vstr buffers.
 *
 * MicroPython v1.27's vstr_ensure_extra (py/vstr.c) grows a buffer that is
 * too small to ROUND_ALLOC(len + size + 16), i.e. ((len + size) & ~7) + 24:
 * 16 bytes more than needed.  Every piece appended to a growing buffer
 * (json.dumps, str.join, "%" formatting, io.StringIO...) reallocates it, and
 * each gc_realloc walks the allocation table over the whole block: n pieces
 * cost O(n^2).  This pass makes the new size ((need + need/2) & ~7) + 24, so
 * reallocations happen O(log n) times.  Finished strings are unaffected:
 * mp_obj_new_str_from_vstr shrinks the buffer to its length.
 *
 * The shape, with vstr_t = {alloc, len, buf, fixed_buf} at offsets 0, 4, 8,
 * 12, a function (i32 vstr, i32 size) -> () containing
 *
 *     call R (i32.load offset=8 (local.get 0),
 *             local.tee N (i32.add (i32.and (local.get N) (i32.const -8))
 *                                  (i32.const 24)))
 *
 * (R is m_renew: the old buffer and the new size) and reading fixed_buf with
 * i32.load8_u offset=12 (local.get 0).  It must occur exactly once in the
 * module; anything else fails the build.
 */
#include "patch.h"

/* Sizes from 1 GiB on grow as before (+24): 1.5x would not fit in 32 bits. */
#define GEOMETRIC_LIMIT 0x40000000

typedef struct {
    BinaryenExpressionRef and_expr; /* (local.get N) & -8, inside the call */
    BinaryenIndex need_local;       /* N = len + size */
    unsigned calls;                 /* matching m_renew calls */
    bool reads_fixed_buf;
} VstrScan;

/* i32.load<bytes> offset=OFF (local.get 0) */
static bool is_field_load(BinaryenExpressionRef e, uint32_t bytes, uint32_t offset)
{
    BinaryenIndex idx = 0;
    return BinaryenExpressionGetId(e) == BinaryenLoadId() && BinaryenLoadGetBytes(e) == bytes &&
           BinaryenLoadGetOffset(e) == offset && !BinaryenLoadIsSigned(e) &&
           expr_is_local_get(BinaryenLoadGetPtr(e), &idx) && idx == 0;
}

/* (i32.add (i32.and (local.get N) (i32.const -8)) (i32.const 24)) */
static BinaryenExpressionRef round_alloc_of_local(BinaryenExpressionRef e, BinaryenIndex n)
{
    /* Initialised: gcc -O1 (make tsan) cannot see that ir.c sets them. */
    int32_t c = 0;
    BinaryenIndex idx = 0;
    if (BinaryenExpressionGetId(e) != BinaryenBinaryId() || BinaryenBinaryGetOp(e) != BinaryenAddInt32() ||
        !expr_is_const_i32(BinaryenBinaryGetRight(e), &c) || c != 24)
        return NULL;
    BinaryenExpressionRef a = BinaryenBinaryGetLeft(e);
    if (BinaryenExpressionGetId(a) != BinaryenBinaryId() || BinaryenBinaryGetOp(a) != BinaryenAndInt32() ||
        !expr_is_const_i32(BinaryenBinaryGetRight(a), &c) || c != -8 ||
        !expr_is_local_get(BinaryenBinaryGetLeft(a), &idx) || idx != n)
        return NULL;
    return a;
}

static void scan_vstr(BinaryenExpressionRef e, void *ctx)
{
    VstrScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenLoadId() && is_field_load(e, 1, 12))
        s->reads_fixed_buf = true;
    if (id != BinaryenCallId() || BinaryenCallGetNumOperands(e) != 2 ||
        !is_field_load(BinaryenCallGetOperandAt(e, 0), 4, 8))
        return;
    BinaryenExpressionRef tee = BinaryenCallGetOperandAt(e, 1);
    if (BinaryenExpressionGetId(tee) != BinaryenLocalSetId() || !BinaryenLocalSetIsTee(tee))
        return;
    BinaryenIndex n = BinaryenLocalSetGetIndex(tee);
    BinaryenExpressionRef a = round_alloc_of_local(BinaryenLocalSetGetValue(tee), n);
    if (!a)
        return;
    s->and_expr = a;
    s->need_local = n;
    s->calls++;
}

static bool is_vstr_signature(BinaryenFunctionRef f)
{
    BinaryenType params[2] = {BinaryenTypeInt32(), BinaryenTypeInt32()};
    return BinaryenFunctionGetParams(f) == BinaryenTypeCreate(params, 2) &&
           BinaryenFunctionGetResults(f) == BinaryenTypeNone();
}

/* select(need + need/2, need, need < GEOMETRIC_LIMIT) */
static BinaryenExpressionRef geometric(BinaryenModuleRef m, BinaryenIndex n)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenExpressionRef half = BinaryenBinary(m, BinaryenShrUInt32(), BinaryenLocalGet(m, n, i32),
                                                BinaryenConst(m, BinaryenLiteralInt32(1)));
    BinaryenExpressionRef grown = BinaryenBinary(m, BinaryenAddInt32(), BinaryenLocalGet(m, n, i32), half);
    BinaryenExpressionRef small = BinaryenBinary(m, BinaryenLtUInt32(), BinaryenLocalGet(m, n, i32),
                                                 BinaryenConst(m, BinaryenLiteralInt32(GEOMETRIC_LIMIT)));
    return BinaryenSelect(m, small, grown, BinaryenLocalGet(m, n, i32), i32);
}

void vstr_growth_patch(BinaryenModuleRef m)
{
    BinaryenExpressionRef target = NULL;
    BinaryenIndex need = 0;
    const char *where = NULL;
    unsigned found = 0;
    BinaryenIndex nf = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < nf; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (!func_is_defined(f) || !is_vstr_signature(f))
            continue;
        VstrScan s = {0};
        walk(BinaryenFunctionGetBody(f), scan_vstr, &s);
        if (!s.calls)
            continue;
        if (s.calls != 1 || !s.reads_fixed_buf)
            die("vstr growth: %s reallocates to ((len + size) & ~7) + 24 but is not shaped like "
                "vstr_ensure_extra (%u such calls, fixed_buf %s)", BinaryenFunctionGetName(f),
                s.calls, s.reads_fixed_buf ? "read" : "not read");
        found++;
        target = s.and_expr;
        need = s.need_local;
        where = BinaryenFunctionGetName(f);
    }
    if (found != 1)
        die("vstr growth: %u functions look like vstr_ensure_extra (want exactly 1); "
            "the guest is not the pinned MicroPython build", found);
    BinaryenBinarySetLeft(target, geometric(m, need));
    note("vstr growth: vstr_ensure_extra = %s, now grows by 1.5x", where);
}
