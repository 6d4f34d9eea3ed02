/*
 * Next-fit for multi-block heap allocations.
 *
 * MicroPython v1.27's gc_alloc (py/gc.c, split heap) looks for n free
 * blocks area by area, from MP_STATE_MEM(gc_last_free_area), scanning each
 * area's allocation table from its gc_last_free_atb_index.  That index only
 * moves for 1-block allocations (it means "no free block before here"), so
 * once a collection has left 1-block holes everywhere, every allocation of 2
 * blocks or more (dict tables, lists, longer strs) scans the whole
 * fragmented heap: O(heap) per allocation, quadratic in the program.
 *
 * The pass keeps a hint, two new globals: the area of the last allocation
 * of 2 blocks or more and the allocation-table byte just after it.  A search
 * for n >= 2 blocks starts at the hinted area, in it at the hinted byte (or
 * its gc_last_free_atb_index if that is later), and goes on through the
 * following areas from their own index, as before.  When it reaches the end
 * of the area list it drops the hint and restarts from gc_last_free_area:
 * exactly the original search.  So an allocation fails, and the guest
 * collects or grows the heap, only after the original full search failed;
 * the allocation table stays the guest's, the pass only changes where a
 * search begins.  gc_collect_end (which frees empty areas and resets every
 * index) clears the hint.  1-block allocations are untouched.
 *
 * Nothing lowers the hint on a free: space freed behind it is found on the
 * next restart, as in next-fit; lowering it would make the next search
 * walk the fragmented blocks again.
 *
 * The 1-block search has a unit slip of its own: when it finds no free block
 * in an area it marks the area full with gc_last_free_atb_index =
 * (i + 1) / BLOCKS_PER_ATB, where i is already an allocation-table index
 * (the table's length), so the mark lands a quarter of the way in and the
 * next 1-block search there walks the last three quarters again; a free in
 * any other area than gc_last_free_area sends the searches back to the
 * first area, so with a grown heap every such free cost a walk of each
 * full area before it.  The pass stores
 * i itself, which is what the index means: the search found no free block
 * from the old index to i.
 *
 * The shape, in the one function (i32 n_bytes, i32 flags) -> i32 that
 *   - stores a local A (the area) to one constant address G
 *     (gc_last_free_area; 1-block allocations record their area there),
 *   - loads G, the area's allocation-table length (offset 8) and its
 *     gc_last_free_atb_index (offset 24) each at least twice (the 1-block
 *     path and the general path are compiled apart), and advances A with
 *     `local.tee A (i32.load (local.get A))` at least twice,
 *   - computes the block count once, N = (n_bytes + B - 1) >> log2(B) (B is
 *     the block size the GC hook read off the mark code), and
 *   - records the last used block once:
 *       i32.store offset=28 (local.get A)
 *         (select (local.tee T (i32.load offset=28 (local.get A))) (local.get E) ...)
 *     where E is the allocation's last block;
 *   - marks an area full (the 1-block search) at least once with
 *       i32.store offset=24 (local.get A) (i32.shr_u (i32.add (local.get I) (i32.const 1)) (i32.const 2));
 * and gc_collect_end must store to G (it resets it to the first area).
 * In that function every load of G becomes first_area(G, N), every load of
 * the index start(A, index, N), every step to the next area next(step, N),
 * the last-used store's value goes through found(A, E, N, value), and the
 * full marks store I.  Inside the block that follows
 * `br_if (i32.ne (local.get N) (i32.const 1))`, the 1-block path, only the
 * full marks change: the helpers would return their argument there and
 * only cost fuel.
 */
#include "patch.h"

#include <string.h>

#define HINT_AREA "airlock$gcalloc_area"
#define HINT_ATB "airlock$gcalloc_atb"
#define FN_FIRST "airlock$gcalloc_first_area"
#define FN_START "airlock$gcalloc_start"
#define FN_NEXT "airlock$gcalloc_next_area"
#define FN_FOUND "airlock$gcalloc_found"

/* mp_state_mem_area_t (py/mpstate.h, split heap), 32-bit */
#define AREA_NEXT 0
#define AREA_ATB_LEN 8
#define AREA_LAST_FREE_ATB 24
#define AREA_LAST_USED_BLOCK 28
#define BLOCKS_PER_ATB_SHIFT 2   /* 4 blocks per allocation-table byte */

typedef struct {
    /* stage 1: the area local and &gc_last_free_area */
    unsigned area_stores;
    BinaryenIndex area;
    uint32_t last_free_area;
    /* stage 2 */
    uint32_t block_bytes;
    bool have_rounded;
    BinaryenIndex rounded;           /* n_bytes + B - 1 */
    unsigned n_sets;
    BinaryenIndex n_blocks;
    unsigned head_loads, index_loads, len_loads, next_steps, used_stores, full_marks;
    BinaryenExpressionRef used_store;
    BinaryenIndex end_block;
} AllocScan;

static BinaryenType i32(void) { return BinaryenTypeInt32(); }

/* i32.load offset=OFF (local.get A) */
static bool is_area_load(BinaryenExpressionRef e, BinaryenIndex a, uint32_t off)
{
    BinaryenIndex idx = 0;
    return e && BinaryenExpressionGetId(e) == BinaryenLoadId() && BinaryenLoadGetBytes(e) == 4 &&
           BinaryenLoadGetOffset(e) == off && expr_is_local_get(BinaryenLoadGetPtr(e), &idx) && idx == a;
}

/* i32.load [const] whose effective address is addr */
static bool is_const_load(BinaryenExpressionRef e, uint32_t addr)
{
    int32_t c = 0;
    return BinaryenExpressionGetId(e) == BinaryenLoadId() && BinaryenLoadGetBytes(e) == 4 &&
           expr_is_const_i32(BinaryenLoadGetPtr(e), &c) && (uint32_t)c + BinaryenLoadGetOffset(e) == addr;
}

/* i32.store [const] (local.get A): the address, and A */
static bool is_local_to_const_store(BinaryenExpressionRef e, uint32_t *addr, BinaryenIndex *a)
{
    int32_t c = 0;
    if (BinaryenExpressionGetId(e) != BinaryenStoreId() || BinaryenStoreGetBytes(e) != 4 ||
        !expr_is_const_i32(BinaryenStoreGetPtr(e), &c) || !expr_is_local_get(BinaryenStoreGetValue(e), a))
        return false;
    *addr = (uint32_t)c + BinaryenStoreGetOffset(e);
    return true;
}

static void scan_area_store(BinaryenExpressionRef e, void *ctx)
{
    AllocScan *s = ctx;
    uint32_t addr = 0;
    BinaryenIndex a = 0;
    if (is_local_to_const_store(e, &addr, &a)) {
        s->area_stores++;
        s->last_free_area = addr;
        s->area = a;
    }
}

/* local.tee A (i32.load (local.get A)): the step to the next area */
static bool is_next_step(BinaryenExpressionRef e, BinaryenIndex a)
{
    return BinaryenExpressionGetId(e) == BinaryenLocalSetId() && BinaryenLocalSetIsTee(e) &&
           BinaryenLocalSetGetIndex(e) == a && is_area_load(BinaryenLocalSetGetValue(e), a, AREA_NEXT);
}

/* i32.store offset=28 (local.get A) (select (local.tee T (load offset=28 A)) (local.get E) _) */
static bool is_last_used_store(BinaryenExpressionRef e, BinaryenIndex a, BinaryenIndex *end)
{
    BinaryenIndex idx = 0;
    if (BinaryenExpressionGetId(e) != BinaryenStoreId() || BinaryenStoreGetBytes(e) != 4 ||
        BinaryenStoreGetOffset(e) != AREA_LAST_USED_BLOCK || !expr_is_local_get(BinaryenStoreGetPtr(e), &idx) ||
        idx != a)
        return false;
    BinaryenExpressionRef v = BinaryenStoreGetValue(e);
    if (BinaryenExpressionGetId(v) != BinaryenSelectId())
        return false;
    BinaryenExpressionRef old = BinaryenSelectGetIfTrue(v);
    return BinaryenExpressionGetId(old) == BinaryenLocalSetId() &&
           is_area_load(BinaryenLocalSetGetValue(old), a, AREA_LAST_USED_BLOCK) &&
           expr_is_local_get(BinaryenSelectGetIfFalse(v), end);
}

/* i32.store offset=24 (local.get A) (i32.shr_u (i32.add (local.get I) (i32.const 1)) (i32.const 2)):
 * the 1-block search's "area full" mark, I its last allocation-table index.
 * Stores I itself. */
static bool is_full_mark(BinaryenExpressionRef e, BinaryenIndex a, BinaryenIndex *last)
{
    BinaryenIndex idx = 0;
    int32_t one = 0, two = 0;
    if (BinaryenExpressionGetId(e) != BinaryenStoreId() || BinaryenStoreGetBytes(e) != 4 ||
        BinaryenStoreGetOffset(e) != AREA_LAST_FREE_ATB || !expr_is_local_get(BinaryenStoreGetPtr(e), &idx) ||
        idx != a)
        return false;
    BinaryenExpressionRef v = BinaryenStoreGetValue(e);
    if (BinaryenExpressionGetId(v) != BinaryenBinaryId() || BinaryenBinaryGetOp(v) != BinaryenShrUInt32() ||
        !expr_is_const_i32(BinaryenBinaryGetRight(v), &two) || two != BLOCKS_PER_ATB_SHIFT)
        return false;
    BinaryenExpressionRef sum = BinaryenBinaryGetLeft(v);
    return BinaryenExpressionGetId(sum) == BinaryenBinaryId() && BinaryenBinaryGetOp(sum) == BinaryenAddInt32() &&
           expr_is_local_get(BinaryenBinaryGetLeft(sum), last) &&
           expr_is_const_i32(BinaryenBinaryGetRight(sum), &one) && one == 1;
}

static void scan_rounding(BinaryenExpressionRef e, void *ctx)
{
    AllocScan *s = ctx;
    int32_t c = 0;
    BinaryenIndex p = 0;
    /* local.tee X (i32.add (local.get 0) (i32.const B - 1)) */
    if (BinaryenExpressionGetId(e) != BinaryenLocalSetId() || !BinaryenLocalSetIsTee(e))
        return;
    BinaryenExpressionRef v = BinaryenLocalSetGetValue(e);
    if (BinaryenExpressionGetId(v) == BinaryenBinaryId() && BinaryenBinaryGetOp(v) == BinaryenAddInt32() &&
        expr_is_local_get(BinaryenBinaryGetLeft(v), &p) && p == 0 &&
        expr_is_const_i32(BinaryenBinaryGetRight(v), &c) && (uint32_t)c == s->block_bytes - 1) {
        s->have_rounded = true;
        s->rounded = BinaryenLocalSetGetIndex(e);
    }
}

static uint32_t log2_of(uint32_t v)
{
    uint32_t k = 0;
    while ((1u << k) < v)
        k++;
    return k;
}

static void scan_alloc(BinaryenExpressionRef e, void *ctx)
{
    AllocScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    BinaryenIndex x = 0, end = 0;
    int32_t c = 0;
    if (id == BinaryenLoadId()) {
        s->head_loads += is_const_load(e, s->last_free_area);
        s->index_loads += is_area_load(e, s->area, AREA_LAST_FREE_ATB);
        s->len_loads += is_area_load(e, s->area, AREA_ATB_LEN);
    } else if (id == BinaryenLocalSetId()) {
        s->next_steps += is_next_step(e, s->area);
        /* local.set N (i32.shr_u (local.get X) (i32.const log2 B)) */
        BinaryenExpressionRef v = BinaryenLocalSetGetValue(e);
        if (s->have_rounded && !BinaryenLocalSetIsTee(e) && BinaryenExpressionGetId(v) == BinaryenBinaryId() &&
            BinaryenBinaryGetOp(v) == BinaryenShrUInt32() && expr_is_local_get(BinaryenBinaryGetLeft(v), &x) &&
            x == s->rounded && expr_is_const_i32(BinaryenBinaryGetRight(v), &c) &&
            (uint32_t)c == log2_of(s->block_bytes)) {
            s->n_sets++;
            s->n_blocks = BinaryenLocalSetGetIndex(e);
        }
    } else if (id == BinaryenStoreId() && is_full_mark(e, s->area, &x)) {
        s->full_marks++;
    } else if (id == BinaryenStoreId() && is_last_used_store(e, s->area, &end)) {
        s->used_stores++;
        s->used_store = e;
        s->end_block = end;
    }
}

static bool is_alloc_signature(BinaryenFunctionRef f)
{
    BinaryenType params[2] = {i32(), i32()};
    return BinaryenFunctionGetParams(f) == BinaryenTypeCreate(params, 2) && BinaryenFunctionGetResults(f) == i32();
}

/* Fills s and returns true if f has gc_alloc's shape. */
static bool scan_function(BinaryenFunctionRef f, uint32_t block_bytes, AllocScan *s)
{
    *s = (AllocScan){.block_bytes = block_bytes};
    BinaryenExpressionRef body = BinaryenFunctionGetBody(f);
    walk(body, scan_area_store, s);
    if (s->area_stores != 1)
        return false;
    walk(body, scan_rounding, s);
    walk(body, scan_alloc, s);
    return s->have_rounded && s->n_sets == 1 && s->used_stores == 1 && s->head_loads >= 2 &&
           s->index_loads >= 2 && s->len_loads >= 2 && s->next_steps >= 2 &&
           s->full_marks >= 1;
}

/* ---- the new globals and helper functions ---- */

static BinaryenExpressionRef get(BinaryenModuleRef m, BinaryenIndex i) { return BinaryenLocalGet(m, i, i32()); }
static BinaryenExpressionRef cst(BinaryenModuleRef m, int32_t v) { return BinaryenConst(m, BinaryenLiteralInt32(v)); }
static BinaryenExpressionRef global(BinaryenModuleRef m, const char *g) { return BinaryenGlobalGet(m, g, i32()); }

static BinaryenExpressionRef have_hint(BinaryenModuleRef m)
{
    return BinaryenBinary(m, BinaryenNeInt32(), global(m, HINT_AREA), cst(m, 0));
}

/* n > 1 for the local n, and-ed with cond (0 or 1) */
static BinaryenExpressionRef multi_and(BinaryenModuleRef m, BinaryenIndex n, BinaryenExpressionRef cond)
{
    return BinaryenBinary(m, BinaryenAndInt32(), BinaryenBinary(m, BinaryenGtUInt32(), get(m, n), cst(m, 1)), cond);
}

static void add_helper(BinaryenModuleRef m, const char *name, BinaryenIndex nparams, BinaryenType result,
                       BinaryenExpressionRef body)
{
    BinaryenType params[4] = {i32(), i32(), i32(), i32()};
    if (BinaryenGetFunction(m, name))
        die("gc alloc: internal name %s already taken (patched twice?)", name);
    BinaryenAddFunction(m, name, BinaryenTypeCreate(params, nparams), result, NULL, 0, body);
}

static void add_helpers(BinaryenModuleRef m, uint32_t last_free_area)
{
    if (BinaryenGetGlobal(m, HINT_AREA) || BinaryenGetGlobal(m, HINT_ATB))
        die("gc alloc: the hint globals exist already (patched twice?)");
    BinaryenAddGlobal(m, HINT_AREA, i32(), true, cst(m, 0));
    BinaryenAddGlobal(m, HINT_ATB, i32(), true, cst(m, 0));

    /* first_area(head, n): the hinted area for n > 1 if there is one, else head */
    add_helper(m, FN_FIRST, 2, i32(),
               BinaryenSelect(m, multi_and(m, 1, have_hint(m)), global(m, HINT_AREA), get(m, 0), i32()));

    /* start(area, index, n): max(hint, index) in the hinted area for n > 1, else index */
    BinaryenExpressionRef later = BinaryenSelect(m, BinaryenBinary(m, BinaryenGtUInt32(), global(m, HINT_ATB), get(m, 1)),
                                                 global(m, HINT_ATB), get(m, 1), i32());
    BinaryenExpressionRef hinted = multi_and(m, 2, BinaryenBinary(m, BinaryenEqInt32(), get(m, 0), global(m, HINT_AREA)));
    add_helper(m, FN_START, 3, i32(), BinaryenSelect(m, hinted, later, get(m, 1), i32()));

    /* next(next, n): at the end of the list of a hinted search, drop the hint
     * and restart from gc_last_free_area (the original search) */
    BinaryenExpressionRef at_end = BinaryenBinary(m, BinaryenAndInt32(), BinaryenUnary(m, BinaryenEqZInt32(), get(m, 0)),
                                                  have_hint(m));
    BinaryenExpressionRef restart[2] = {
        BinaryenGlobalSet(m, HINT_AREA, cst(m, 0)),
        BinaryenLoad(m, 4, false, 0, 4, i32(), cst(m, (int32_t)last_free_area)),
    };
    add_helper(m, FN_NEXT, 2, i32(),
               BinaryenIf(m, multi_and(m, 1, at_end), BinaryenBlock(m, NULL, restart, 2, i32()), get(m, 0)));

    /* found(area, end_block, n, value): an allocation of n > 1 blocks sets
     * the hint just after it; returns value */
    BinaryenExpressionRef set[2] = {
        BinaryenGlobalSet(m, HINT_AREA, get(m, 0)),
        BinaryenGlobalSet(m, HINT_ATB, BinaryenBinary(m, BinaryenShrUInt32(),
                                                      BinaryenBinary(m, BinaryenAddInt32(), get(m, 1), cst(m, 1)),
                                                      cst(m, BLOCKS_PER_ATB_SHIFT))),
    };
    BinaryenExpressionRef body[2] = {
        BinaryenIf(m, BinaryenBinary(m, BinaryenGtUInt32(), get(m, 2), cst(m, 1)),
                   BinaryenBlock(m, NULL, set, 2, BinaryenTypeNone()), NULL),
        get(m, 3),
    };
    add_helper(m, FN_FOUND, 4, i32(), BinaryenBlock(m, NULL, body, 2, i32()));
}

/* ---- the rewrite ---- */

typedef struct {
    BinaryenModuleRef m;
    const AllocScan *s;
    unsigned in_single;      /* inside code that runs only for N == 1 */
    unsigned single_blocks;  /* such blocks met */
} Rewrite;

/* (block $B (br_if $B (i32.ne (local.get N) (i32.const 1))) ...): the rest
 * of the block is the 1-block path, where the helpers would only cost fuel
 * (each still checks N, so this is an optimisation, not a condition). */
static bool is_single_block_path(BinaryenExpressionRef e, BinaryenIndex n)
{
    BinaryenIndex idx = 0;
    int32_t one = 0;
    if (BinaryenExpressionGetId(e) != BinaryenBlockId() || !BinaryenBlockGetName(e) ||
        BinaryenBlockGetNumChildren(e) < 2)
        return false;
    BinaryenExpressionRef br = BinaryenBlockGetChildAt(e, 0);
    if (BinaryenExpressionGetId(br) != BinaryenBreakId() || BinaryenBreakGetValue(br) ||
        !BinaryenBreakGetCondition(br) || strcmp(BinaryenBreakGetName(br), BinaryenBlockGetName(e)) != 0)
        return false;
    BinaryenExpressionRef c = BinaryenBreakGetCondition(br);
    return BinaryenExpressionGetId(c) == BinaryenBinaryId() && BinaryenBinaryGetOp(c) == BinaryenNeInt32() &&
           expr_is_local_get(BinaryenBinaryGetLeft(c), &idx) && idx == n &&
           expr_is_const_i32(BinaryenBinaryGetRight(c), &one) && one == 1;
}

static BinaryenExpressionRef call(BinaryenModuleRef m, const char *fn, BinaryenExpressionRef *args, BinaryenIndex n)
{
    return BinaryenCall(m, fn, args, n, i32());
}

/* Post-order, so a replaced load is wrapped once. */
static BinaryenExpressionRef rewrite(BinaryenExpressionRef e, void *ctx)
{
    Rewrite *r = ctx;
    const AllocScan *s = r->s;
    BinaryenModuleRef m = r->m;
    BinaryenIndex last = 0;
    bool single = is_single_block_path(e, s->n_blocks);
    r->in_single += single;
    r->single_blocks += single;
    map_children(e, rewrite, ctx);
    r->in_single -= single;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (is_full_mark(e, s->area, &last)) {
        BinaryenStoreSetValue(e, get(m, last));
        return e;
    }
    if (r->in_single)
        return e;
    if (id == BinaryenLoadId() && is_const_load(e, s->last_free_area)) {
        BinaryenExpressionRef args[2] = {e, get(m, s->n_blocks)};
        return call(m, FN_FIRST, args, 2);
    }
    if (id == BinaryenLoadId() && is_area_load(e, s->area, AREA_LAST_FREE_ATB)) {
        BinaryenExpressionRef args[3] = {get(m, s->area), e, get(m, s->n_blocks)};
        return call(m, FN_START, args, 3);
    }
    if (is_next_step(e, s->area)) {
        BinaryenExpressionRef args[2] = {BinaryenLocalSetGetValue(e), get(m, s->n_blocks)};
        BinaryenLocalSetSetValue(e, call(m, FN_NEXT, args, 2));
    } else if (e == s->used_store) {
        BinaryenExpressionRef args[4] = {get(m, s->area), get(m, s->end_block), get(m, s->n_blocks),
                                         BinaryenStoreGetValue(e)};
        BinaryenStoreSetValue(e, call(m, FN_FOUND, args, 4));
    }
    return e;
}

typedef struct {
    uint32_t addr;
    unsigned stores;
} StoreCount;

static void count_stores_to(BinaryenExpressionRef e, void *ctx)
{
    StoreCount *c = ctx;
    int32_t p = 0;
    if (BinaryenExpressionGetId(e) == BinaryenStoreId() && BinaryenStoreGetBytes(e) == 4 &&
        expr_is_const_i32(BinaryenStoreGetPtr(e), &p) && (uint32_t)p + BinaryenStoreGetOffset(e) == c->addr)
        c->stores++;
}

/* gc_collect_end resets gc_last_free_area; its body now first clears the hint. */
static void clear_hint_on_collect(BinaryenModuleRef m, uint32_t last_free_area)
{
    BinaryenExportRef ex = BinaryenGetExport(m, "airlock_gc_collect_end");
    if (!ex)
        die("gc alloc: the GC hook did not export gc_collect_end");
    BinaryenFunctionRef end = BinaryenGetFunction(m, BinaryenExportGetValue(ex));
    StoreCount c = {.addr = last_free_area};
    walk(BinaryenFunctionGetBody(end), count_stores_to, &c);
    if (c.stores == 0)
        die("gc alloc: gc_collect_end does not reset gc_last_free_area (%u): not the pinned heap layout",
            last_free_area);
    BinaryenExpressionRef body[2] = {BinaryenGlobalSet(m, HINT_AREA, cst(m, 0)), BinaryenFunctionGetBody(end)};
    BinaryenFunctionSetBody(end, BinaryenBlock(m, NULL, body, 2, BinaryenTypeNone()));
}

void gc_alloc_patch(BinaryenModuleRef m, const GcLayout *L)
{
    BinaryenFunctionRef found = NULL;
    AllocScan hit = {0};
    unsigned n = 0;
    BinaryenIndex nf = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < nf; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        AllocScan s;
        if (!func_is_defined(f) || !is_alloc_signature(f) || !scan_function(f, L->block_bytes, &s))
            continue;
        n++;
        found = f;
        hit = s;
    }
    if (n != 1)
        die("gc alloc: %u functions look like gc_alloc (want exactly 1); "
            "the guest is not the pinned MicroPython build", n);
    if (hit.last_free_area <= L->area_addr || hit.last_free_area >= L->area_addr + 4096)
        die("gc alloc: gc_last_free_area at %u is not in mp_state_ctx after the first area (%u)",
            hit.last_free_area, L->area_addr);
    add_helpers(m, hit.last_free_area);
    Rewrite r = {m, &hit, 0, 0};
    BinaryenFunctionSetBody(found, rewrite(BinaryenFunctionGetBody(found), &r));
    clear_hint_on_collect(m, hit.last_free_area);
    note("gc alloc: gc_alloc = %s (gc_last_free_area at %u; %u head loads, %u index loads, %u area steps, "
         "%u full marks; %u 1-block path left alone), next-fit hint",
         BinaryenFunctionGetName(found), hit.last_free_area, hit.head_loads, hit.index_loads, hit.next_steps,
         hit.full_marks, r.single_blocks);
}
