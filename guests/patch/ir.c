/*
 * Helpers over Binaryen's C API (v108) shared by the passes: diagnostics and
 * a generic child walk and rewrite.  The C API has no child iterator, so every expression
 * kind this tool may meet is listed; an unknown kind fails the build instead
 * of silently skipping code that might contain a loop.
 */
#include "patch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("airlock-patch: error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("airlock-patch: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

bool func_is_import(BinaryenFunctionRef f)
{
    const char *mod = BinaryenFunctionImportGetModule(f);
    return mod && mod[0];
}

bool func_is_defined(BinaryenFunctionRef f)
{
    return !func_is_import(f);
}

bool expr_is_const_i32(BinaryenExpressionRef e, int32_t *v)
{
    if (!e || BinaryenExpressionGetId(e) != BinaryenConstId() ||
        BinaryenExpressionGetType(e) != BinaryenTypeInt32())
        return false;
    *v = BinaryenConstGetValueI32(e);
    return true;
}

bool expr_is_local_get(BinaryenExpressionRef e, BinaryenIndex *idx)
{
    if (!e || BinaryenExpressionGetId(e) != BinaryenLocalGetId())
        return false;
    *idx = BinaryenLocalGetGetIndex(e);
    return true;
}

/* Child slots: GET reads one, SET (called only when the mapper returns a
 * different expression) replaces it; absent optional children are skipped. */
#define SLOT(GET, SET)                                \
    do {                                              \
        BinaryenExpressionRef c_ = GET(e);            \
        if (c_) {                                     \
            BinaryenExpressionRef r_ = fn(c_, ctx);   \
            if (r_ != c_)                             \
                SET(e, r_);                           \
        }                                             \
    } while (0)
#define SLOTS(COUNT, GET_AT, SET_AT)                          \
    do {                                                      \
        BinaryenIndex n_ = COUNT(e);                          \
        for (BinaryenIndex i_ = 0; i_ < n_; i_++) {           \
            BinaryenExpressionRef c_ = GET_AT(e, i_);         \
            BinaryenExpressionRef r_ = fn(c_, ctx);           \
            if (r_ != c_)                                     \
                SET_AT(e, i_, r_);                            \
        }                                                     \
    } while (0)

void map_children(BinaryenExpressionRef e, Mapper fn, void *ctx)
{
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenBlockId()) {
        SLOTS(BinaryenBlockGetNumChildren, BinaryenBlockGetChildAt, BinaryenBlockSetChildAt);
    } else if (id == BinaryenIfId()) {
        SLOT(BinaryenIfGetCondition, BinaryenIfSetCondition);
        SLOT(BinaryenIfGetIfTrue, BinaryenIfSetIfTrue);
        SLOT(BinaryenIfGetIfFalse, BinaryenIfSetIfFalse);
    } else if (id == BinaryenLoopId()) {
        SLOT(BinaryenLoopGetBody, BinaryenLoopSetBody);
    } else if (id == BinaryenBreakId()) {
        SLOT(BinaryenBreakGetValue, BinaryenBreakSetValue);
        SLOT(BinaryenBreakGetCondition, BinaryenBreakSetCondition);
    } else if (id == BinaryenSwitchId()) {
        SLOT(BinaryenSwitchGetValue, BinaryenSwitchSetValue);
        SLOT(BinaryenSwitchGetCondition, BinaryenSwitchSetCondition);
    } else if (id == BinaryenCallId()) {
        SLOTS(BinaryenCallGetNumOperands, BinaryenCallGetOperandAt, BinaryenCallSetOperandAt);
    } else if (id == BinaryenCallIndirectId()) {
        SLOTS(BinaryenCallIndirectGetNumOperands, BinaryenCallIndirectGetOperandAt,
              BinaryenCallIndirectSetOperandAt);
        SLOT(BinaryenCallIndirectGetTarget, BinaryenCallIndirectSetTarget);
    } else if (id == BinaryenLocalSetId()) {
        SLOT(BinaryenLocalSetGetValue, BinaryenLocalSetSetValue);
    } else if (id == BinaryenGlobalSetId()) {
        SLOT(BinaryenGlobalSetGetValue, BinaryenGlobalSetSetValue);
    } else if (id == BinaryenLoadId()) {
        SLOT(BinaryenLoadGetPtr, BinaryenLoadSetPtr);
    } else if (id == BinaryenStoreId()) {
        SLOT(BinaryenStoreGetPtr, BinaryenStoreSetPtr);
        SLOT(BinaryenStoreGetValue, BinaryenStoreSetValue);
    } else if (id == BinaryenUnaryId()) {
        SLOT(BinaryenUnaryGetValue, BinaryenUnarySetValue);
    } else if (id == BinaryenBinaryId()) {
        SLOT(BinaryenBinaryGetLeft, BinaryenBinarySetLeft);
        SLOT(BinaryenBinaryGetRight, BinaryenBinarySetRight);
    } else if (id == BinaryenSelectId()) {
        SLOT(BinaryenSelectGetIfTrue, BinaryenSelectSetIfTrue);
        SLOT(BinaryenSelectGetIfFalse, BinaryenSelectSetIfFalse);
        SLOT(BinaryenSelectGetCondition, BinaryenSelectSetCondition);
    } else if (id == BinaryenDropId()) {
        SLOT(BinaryenDropGetValue, BinaryenDropSetValue);
    } else if (id == BinaryenReturnId()) {
        SLOT(BinaryenReturnGetValue, BinaryenReturnSetValue);
    } else if (id == BinaryenMemoryGrowId()) {
        SLOT(BinaryenMemoryGrowGetDelta, BinaryenMemoryGrowSetDelta);
    } else if (id == BinaryenMemoryInitId()) {
        SLOT(BinaryenMemoryInitGetDest, BinaryenMemoryInitSetDest);
        SLOT(BinaryenMemoryInitGetOffset, BinaryenMemoryInitSetOffset);
        SLOT(BinaryenMemoryInitGetSize, BinaryenMemoryInitSetSize);
    } else if (id == BinaryenMemoryCopyId()) {
        SLOT(BinaryenMemoryCopyGetDest, BinaryenMemoryCopySetDest);
        SLOT(BinaryenMemoryCopyGetSource, BinaryenMemoryCopySetSource);
        SLOT(BinaryenMemoryCopyGetSize, BinaryenMemoryCopySetSize);
    } else if (id == BinaryenMemoryFillId()) {
        SLOT(BinaryenMemoryFillGetDest, BinaryenMemoryFillSetDest);
        SLOT(BinaryenMemoryFillGetValue, BinaryenMemoryFillSetValue);
        SLOT(BinaryenMemoryFillGetSize, BinaryenMemoryFillSetSize);
    } else if (id == BinaryenRefIsId()) {
        SLOT(BinaryenRefIsGetValue, BinaryenRefIsSetValue);
    } else if (id == BinaryenRefAsId()) {
        SLOT(BinaryenRefAsGetValue, BinaryenRefAsSetValue);
    } else if (id == BinaryenRefEqId()) {
        SLOT(BinaryenRefEqGetLeft, BinaryenRefEqSetLeft);
        SLOT(BinaryenRefEqGetRight, BinaryenRefEqSetRight);
    } else if (id == BinaryenTableGetId()) {
        SLOT(BinaryenTableGetGetIndex, BinaryenTableGetSetIndex);
    } else if (id == BinaryenTableSetId()) {
        SLOT(BinaryenTableSetGetIndex, BinaryenTableSetSetIndex);
        SLOT(BinaryenTableSetGetValue, BinaryenTableSetSetValue);
    } else if (id == BinaryenTableGrowId()) {
        SLOT(BinaryenTableGrowGetValue, BinaryenTableGrowSetValue);
        SLOT(BinaryenTableGrowGetDelta, BinaryenTableGrowSetDelta);
    } else if (id == BinaryenTupleMakeId()) {
        SLOTS(BinaryenTupleMakeGetNumOperands, BinaryenTupleMakeGetOperandAt, BinaryenTupleMakeSetOperandAt);
    } else if (id == BinaryenTupleExtractId()) {
        SLOT(BinaryenTupleExtractGetTuple, BinaryenTupleExtractSetTuple);
    } else if (id == BinaryenTryId()) {
        SLOT(BinaryenTryGetBody, BinaryenTrySetBody);
        SLOTS(BinaryenTryGetNumCatchBodies, BinaryenTryGetCatchBodyAt, BinaryenTrySetCatchBodyAt);
    } else if (id == BinaryenThrowId()) {
        SLOTS(BinaryenThrowGetNumOperands, BinaryenThrowGetOperandAt, BinaryenThrowSetOperandAt);
    } else if (id == BinaryenNopId() || id == BinaryenConstId() || id == BinaryenLocalGetId() ||
               id == BinaryenGlobalGetId() || id == BinaryenMemorySizeId() ||
               id == BinaryenUnreachableId() || id == BinaryenPopId() || id == BinaryenRefNullId() ||
               id == BinaryenRefFuncId() || id == BinaryenTableSizeId() || id == BinaryenDataDropId() ||
               id == BinaryenRethrowId()) {
        /* leaves */
    } else {
        die("unsupported expression kind %u (a feature this tool does not know; "
            "the pinned guest uses none)", id);
    }
}

typedef struct {
    void (*fn)(BinaryenExpressionRef child, void *ctx);
    void *ctx;
} Visit;

static BinaryenExpressionRef visit_only(BinaryenExpressionRef child, void *v_)
{
    Visit *v = v_;
    v->fn(child, v->ctx);
    return child;
}

void for_each_child(BinaryenExpressionRef e,
                    void (*fn)(BinaryenExpressionRef child, void *ctx), void *ctx)
{
    Visit v = {fn, ctx};
    map_children(e, visit_only, &v);
}

typedef struct {
    Visitor fn;
    void *ctx;
} Walk;

static void walk_child(BinaryenExpressionRef e, void *w_)
{
    Walk *w = w_;
    w->fn(e, w->ctx);
    for_each_child(e, walk_child, w);
}

void walk(BinaryenExpressionRef root, Visitor fn, void *ctx)
{
    Walk w = {fn, ctx};
    walk_child(root, &w);
}

void ask_host_first(BinaryenModuleRef m, BinaryenFunctionRef f, const char *import, const char *guest,
                    BinaryenExpressionRef when)
{
    BinaryenType i32 = BinaryenTypeInt32();
    const char *name = BinaryenFunctionGetName(f);
    BinaryenType params = BinaryenFunctionGetParams(f);
    BinaryenIndex np = BinaryenTypeArity(params), nvars = BinaryenFunctionGetNumVars(f);
    BinaryenType vars[64];
    if (nvars < 1 || BinaryenFunctionGetVar(f, 0) != i32 || BinaryenFunctionGetResults(f) != i32)
        die("%s: function %s has no i32 local to reuse or no i32 result", import, name);
    if (nvars > 64 || np > 8)
        die("%s: function %s has %u locals and %u parameters (at most 64 and 8 expected)", import, name,
            nvars, np);
    for (BinaryenIndex i = 0; i < nvars; i++)
        vars[i] = BinaryenFunctionGetVar(f, i);
    if (BinaryenGetFunction(m, import) || BinaryenGetFunction(m, guest))
        die("%s: internal name %s or %s already taken", import, import, guest);
    BinaryenAddFunctionImport(m, import, HOST_IMPORT_MODULE, import + strlen(HOST_IMPORT_PREFIX), params, i32);
    BinaryenAddFunction(m, guest, params, i32, vars, nvars, BinaryenFunctionGetBody(f));

    BinaryenExpressionRef ask_args[8], fwd_args[8];
    for (BinaryenIndex i = 0; i < np; i++) {
        ask_args[i] = BinaryenLocalGet(m, i, i32);
        fwd_args[i] = BinaryenLocalGet(m, i, i32);
    }
    BinaryenIndex r = np; /* the first local after the parameters */
    BinaryenExpressionRef ask = BinaryenLocalSet(m, r, BinaryenCall(m, import, ask_args, np, i32));
    BinaryenExpressionRef answered = BinaryenBinary(m, BinaryenNeInt32(), BinaryenLocalGet(m, r, i32),
                                                    BinaryenConst(m, BinaryenLiteralInt32(-1)));
    BinaryenExpressionRef then[2] = {
        ask, BinaryenIf(m, answered, BinaryenReturn(m, BinaryenLocalGet(m, r, i32)), NULL)};
    BinaryenExpressionRef asked = BinaryenBlock(m, NULL, then, 2, BinaryenTypeNone());
    if (when)
        asked = BinaryenIf(m, when, asked, NULL);
    BinaryenExpressionRef body[2] = {asked, BinaryenCall(m, guest, fwd_args, np, i32)};
    BinaryenFunctionSetBody(f, BinaryenBlock(m, NULL, body, 2, i32));
}
