/*
 * Helpers over Binaryen's C API (v108) shared by the passes: diagnostics and
 * a generic child walk.  The C API has no child iterator, so every expression
 * kind this tool may meet is listed; an unknown kind fails the build instead
 * of silently skipping code that might contain a loop.
 */
#include "patch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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

#define VISIT(x)                        \
    do {                                \
        BinaryenExpressionRef c_ = (x); \
        if (c_)                         \
            fn(c_, ctx);                \
    } while (0)

void for_each_child(BinaryenExpressionRef e,
                    void (*fn)(BinaryenExpressionRef child, void *ctx), void *ctx)
{
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenBlockId()) {
        BinaryenIndex n = BinaryenBlockGetNumChildren(e);
        for (BinaryenIndex i = 0; i < n; i++)
            VISIT(BinaryenBlockGetChildAt(e, i));
    } else if (id == BinaryenIfId()) {
        VISIT(BinaryenIfGetCondition(e));
        VISIT(BinaryenIfGetIfTrue(e));
        VISIT(BinaryenIfGetIfFalse(e));
    } else if (id == BinaryenLoopId()) {
        VISIT(BinaryenLoopGetBody(e));
    } else if (id == BinaryenBreakId()) {
        VISIT(BinaryenBreakGetValue(e));
        VISIT(BinaryenBreakGetCondition(e));
    } else if (id == BinaryenSwitchId()) {
        VISIT(BinaryenSwitchGetValue(e));
        VISIT(BinaryenSwitchGetCondition(e));
    } else if (id == BinaryenCallId()) {
        BinaryenIndex n = BinaryenCallGetNumOperands(e);
        for (BinaryenIndex i = 0; i < n; i++)
            VISIT(BinaryenCallGetOperandAt(e, i));
    } else if (id == BinaryenCallIndirectId()) {
        BinaryenIndex n = BinaryenCallIndirectGetNumOperands(e);
        for (BinaryenIndex i = 0; i < n; i++)
            VISIT(BinaryenCallIndirectGetOperandAt(e, i));
        VISIT(BinaryenCallIndirectGetTarget(e));
    } else if (id == BinaryenLocalSetId()) {
        VISIT(BinaryenLocalSetGetValue(e));
    } else if (id == BinaryenGlobalSetId()) {
        VISIT(BinaryenGlobalSetGetValue(e));
    } else if (id == BinaryenLoadId()) {
        VISIT(BinaryenLoadGetPtr(e));
    } else if (id == BinaryenStoreId()) {
        VISIT(BinaryenStoreGetPtr(e));
        VISIT(BinaryenStoreGetValue(e));
    } else if (id == BinaryenUnaryId()) {
        VISIT(BinaryenUnaryGetValue(e));
    } else if (id == BinaryenBinaryId()) {
        VISIT(BinaryenBinaryGetLeft(e));
        VISIT(BinaryenBinaryGetRight(e));
    } else if (id == BinaryenSelectId()) {
        VISIT(BinaryenSelectGetIfTrue(e));
        VISIT(BinaryenSelectGetIfFalse(e));
        VISIT(BinaryenSelectGetCondition(e));
    } else if (id == BinaryenDropId()) {
        VISIT(BinaryenDropGetValue(e));
    } else if (id == BinaryenReturnId()) {
        VISIT(BinaryenReturnGetValue(e));
    } else if (id == BinaryenMemoryGrowId()) {
        VISIT(BinaryenMemoryGrowGetDelta(e));
    } else if (id == BinaryenMemoryInitId()) {
        VISIT(BinaryenMemoryInitGetDest(e));
        VISIT(BinaryenMemoryInitGetOffset(e));
        VISIT(BinaryenMemoryInitGetSize(e));
    } else if (id == BinaryenMemoryCopyId()) {
        VISIT(BinaryenMemoryCopyGetDest(e));
        VISIT(BinaryenMemoryCopyGetSource(e));
        VISIT(BinaryenMemoryCopyGetSize(e));
    } else if (id == BinaryenMemoryFillId()) {
        VISIT(BinaryenMemoryFillGetDest(e));
        VISIT(BinaryenMemoryFillGetValue(e));
        VISIT(BinaryenMemoryFillGetSize(e));
    } else if (id == BinaryenRefIsId()) {
        VISIT(BinaryenRefIsGetValue(e));
    } else if (id == BinaryenRefAsId()) {
        VISIT(BinaryenRefAsGetValue(e));
    } else if (id == BinaryenRefEqId()) {
        VISIT(BinaryenRefEqGetLeft(e));
        VISIT(BinaryenRefEqGetRight(e));
    } else if (id == BinaryenTableGetId()) {
        VISIT(BinaryenTableGetGetIndex(e));
    } else if (id == BinaryenTableSetId()) {
        VISIT(BinaryenTableSetGetIndex(e));
        VISIT(BinaryenTableSetGetValue(e));
    } else if (id == BinaryenTableGrowId()) {
        VISIT(BinaryenTableGrowGetValue(e));
        VISIT(BinaryenTableGrowGetDelta(e));
    } else if (id == BinaryenTupleMakeId()) {
        BinaryenIndex n = BinaryenTupleMakeGetNumOperands(e);
        for (BinaryenIndex i = 0; i < n; i++)
            VISIT(BinaryenTupleMakeGetOperandAt(e, i));
    } else if (id == BinaryenTupleExtractId()) {
        VISIT(BinaryenTupleExtractGetTuple(e));
    } else if (id == BinaryenNopId() || id == BinaryenConstId() || id == BinaryenLocalGetId() ||
               id == BinaryenGlobalGetId() || id == BinaryenMemorySizeId() ||
               id == BinaryenUnreachableId() || id == BinaryenPopId() || id == BinaryenRefNullId() ||
               id == BinaryenRefFuncId() || id == BinaryenTableSizeId() || id == BinaryenDataDropId()) {
        /* leaves */
    } else {
        die("unsupported expression kind %u (a feature this tool does not know; "
            "the pinned guest uses none)", id);
    }
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
