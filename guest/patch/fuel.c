/*
 * Inline fuel metering.
 *
 * Adds   (global $airlock_fuel (mut i64) (i64.const 0))  exported "airlock_fuel"
 *        (import "airlock" "fuel_exhausted" (func))
 * and, at every metered function's entry and at every loop header:
 *        airlock_fuel -= COST; if (airlock_fuel < 0) fuel_exhausted();
 *
 * COST: a "region" is a function body or a loop body, minus the loops nested
 * in it (those are regions of their own, with their own check).  Inside a
 * region control flow is acyclic: every edge either goes forward (to the end
 * of an enclosing block) or ends the region's path (a branch to a loop
 * header, a branch out of the loop, return, unreachable, falling off the
 * end).  COST is the length of the LONGEST path through the region, counting
 * one unit per WebAssembly instruction (block, loop and nop are free; a
 * nested loop is a free pass-through, its own check pays for its body).
 * So between two consecutive checks at most COST instructions of the region
 * run: the fuel consumed is an upper bound of the instructions executed, not
 * an average, and a switch-style dispatch loop pays for one case per
 * iteration, not for all of them.
 *
 * memory.copy / memory.fill additionally pay size / FUEL_BYTES_PER_UNIT units
 * (charged and checked just before the operation, after its operands).
 *
 * Tiny leaves are not metered: a function without loops, calls or bulk
 * memory operations whose longest path is at most FUEL_LEAF_MAX units.  Such
 * a call runs at most FUEL_LEAF_MAX instructions and cannot run anything
 * else, so its work is charged at the call site instead: a direct call to a
 * leaf costs 1 + the leaf's COST; call_indirect and calls to imports (the
 * host's invoke_* trampolines call table entries) cost 1 + FUEL_LEAF_MAX,
 * which covers whichever leaf they may reach.  The bound above still holds.
 * Imported functions are never metered (they are the host's).
 */
#include "patch.h"

#include <stdlib.h>
#include <string.h>

#define FUEL_IMPORT_INTERNAL "airlock$fuel_exhausted"
#define UNREACH (INT64_MIN / 4) /* "no path reaches this point" */

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* ---- leaf table (sorted by name for bsearch) ---- */

typedef struct {
    const char *name;
    int64_t cost;
} Leaf;

static int leaf_cmp(const void *a, const void *b)
{
    return strcmp(((const Leaf *)a)->name, ((const Leaf *)b)->name);
}

/* ---- path-length analysis & rewriting ---- */

typedef struct {
    const char *name;
    bool is_loop;
    unsigned region;   /* region the label belongs to (a loop: the region it heads) */
    int64_t max_in;    /* blocks: longest path arriving at the block's end by a branch */
} Label;

typedef struct {
    int64_t cur;       /* longest path to the current point (UNREACH if none) */
    int64_t max_end;   /* longest path ending in this region */
} Region;

typedef struct {
    BinaryenModuleRef m;
    BinaryenFunctionRef fn;
    bool rewrite;       /* false: analysis only */
    const Leaf *leaves;
    size_t nleaves;
    Label *labels;
    size_t nlabels, cap_labels;
    Region *regions;
    size_t nregions, cap_regions;
    FuelStats *st;
} Meter;

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need)
        c *= 2;
    p = realloc(p, c * elem);
    if (!p)
        die("out of memory");
    *cap = c;
    return p;
}

static Region *top(Meter *mt)
{
    return &mt->regions[mt->nregions - 1];
}

static void push_label(Meter *mt, const char *name, bool is_loop, unsigned region)
{
    mt->labels = grow(mt->labels, &mt->cap_labels, mt->nlabels + 1, sizeof *mt->labels);
    mt->labels[mt->nlabels++] = (Label){name, is_loop, region, UNREACH};
}

static void push_region(Meter *mt)
{
    mt->regions = grow(mt->regions, &mt->cap_regions, mt->nregions + 1, sizeof *mt->regions);
    mt->regions[mt->nregions++] = (Region){0, UNREACH};
}

/* The path ends here in regions [from, innermost]. */
static void end_paths(Meter *mt, unsigned from)
{
    for (size_t r = from; r < mt->nregions; r++)
        mt->regions[r].max_end = max64(mt->regions[r].max_end, mt->regions[r].cur);
}

static void branch_to(Meter *mt, const char *name)
{
    for (size_t i = mt->nlabels; i-- > 0;) {
        Label *l = &mt->labels[i];
        if (!l->name || strcmp(l->name, name) != 0)
            continue;
        if (l->is_loop) {
            end_paths(mt, l->region); /* back to a check point */
        } else {
            /* forward to the block's end, in the block's region; the
             * regions inside it are left */
            l->max_in = max64(l->max_in, mt->regions[l->region].cur);
            end_paths(mt, l->region + 1);
        }
        return;
    }
    die("fuel: branch to unknown label %s in %s", name, BinaryenFunctionGetName(mt->fn));
}

static int64_t node_cost(Meter *mt, BinaryenExpressionRef e)
{
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenBlockId() || id == BinaryenNopId() || id == BinaryenLoopId() ||
        id == BinaryenPopId())
        return 0;
    if (id == BinaryenCallIndirectId())
        return 1 + FUEL_LEAF_MAX;
    if (id == BinaryenCallId()) {
        const char *target = BinaryenCallGetTarget(e);
        BinaryenFunctionRef f = BinaryenGetFunction(mt->m, target);
        if (func_is_import(f))
            return 1 + FUEL_LEAF_MAX;
        Leaf key = {target, 0};
        const Leaf *l = bsearch(&key, mt->leaves, mt->nleaves, sizeof key, leaf_cmp);
        return l ? 1 + l->cost : 1;
    }
    return 1;
}

/* ---- code generation ---- */

static BinaryenExpressionRef gen_charge(Meter *mt, BinaryenExpressionRef amount)
{
    BinaryenModuleRef m = mt->m;
    BinaryenExpressionRef sub = BinaryenBinary(
        m, BinaryenSubInt64(), BinaryenGlobalGet(m, FUEL_GLOBAL, BinaryenTypeInt64()), amount);
    return BinaryenGlobalSet(m, FUEL_GLOBAL, sub);
}

static BinaryenExpressionRef gen_check(Meter *mt)
{
    BinaryenModuleRef m = mt->m;
    BinaryenExpressionRef neg =
        BinaryenBinary(m, BinaryenLtSInt64(), BinaryenGlobalGet(m, FUEL_GLOBAL, BinaryenTypeInt64()),
                       BinaryenConst(m, BinaryenLiteralInt64(0)));
    return BinaryenIf(m, neg, BinaryenCall(m, FUEL_IMPORT_INTERNAL, NULL, 0, BinaryenTypeNone()),
                      NULL);
}

/* { fuel -= cost; if (fuel < 0) fuel_exhausted(); body } */
static BinaryenExpressionRef prepend_check(Meter *mt, int64_t cost, BinaryenExpressionRef body)
{
    if (getenv("AIRLOCK_PATCH_COUNT_CHECKS")) /* debugging: fuel = checks executed */
        cost = 1;
    BinaryenExpressionRef kids[3] = {
        gen_charge(mt, BinaryenConst(mt->m, BinaryenLiteralInt64(cost))), gen_check(mt), body};
    mt->st->cost_sum += (uint64_t)cost;
    return BinaryenBlock(mt->m, NULL, kids, 3, BinaryenTypeAuto());
}

/* memory.copy/fill size operand -> (call $charge_bytes size).  The helper
 * (added once, not metered itself) charges size / FUEL_BYTES_PER_UNIT units,
 * checks, and returns its argument: the size is evaluated exactly where it
 * was (after dest and src/value), and the function parameter serves as the
 * temporary, so no locals are added and re-entrancy is not an issue. */
#define CHARGE_BYTES_INTERNAL "airlock$charge_bytes"

static void add_charge_bytes(BinaryenModuleRef m, Meter *mt)
{
    if (BinaryenGetFunction(m, CHARGE_BYTES_INTERNAL))
        die("fuel: internal name %s already taken", CHARGE_BYTES_INTERNAL);
    int shift = __builtin_ctz(FUEL_BYTES_PER_UNIT);
    BinaryenExpressionRef units = BinaryenBinary(
        m, BinaryenShrUInt64(),
        BinaryenUnary(m, BinaryenExtendUInt32(), BinaryenLocalGet(m, 0, BinaryenTypeInt32())),
        BinaryenConst(m, BinaryenLiteralInt64(shift)));
    BinaryenExpressionRef kids[3] = {
        gen_charge(mt, units),
        gen_check(mt),
        BinaryenLocalGet(m, 0, BinaryenTypeInt32()),
    };
    BinaryenAddFunction(m, CHARGE_BYTES_INTERNAL, BinaryenTypeInt32(), BinaryenTypeInt32(), NULL, 0,
                        BinaryenBlock(m, NULL, kids, 3, BinaryenTypeInt32()));
}

static BinaryenExpressionRef charge_size(Meter *mt, BinaryenExpressionRef size)
{
    mt->st->bulk_checks++;
    return BinaryenCall(mt->m, CHARGE_BYTES_INTERNAL, &size, 1, BinaryenTypeInt32());
}

/* ---- the walk ---- */

static void visit(BinaryenExpressionRef e, void *ctx);

static void visit_block(Meter *mt, BinaryenExpressionRef e)
{
    const char *name = BinaryenBlockGetName(e);
    size_t mark = mt->nlabels;
    if (name)
        push_label(mt, name, false, (unsigned)mt->nregions - 1);
    BinaryenIndex n = BinaryenBlockGetNumChildren(e);
    for (BinaryenIndex i = 0; i < n; i++)
        visit(BinaryenBlockGetChildAt(e, i), mt);
    if (name)
        top(mt)->cur = max64(top(mt)->cur, mt->labels[mark].max_in);
    mt->nlabels = mark;
}

static void visit_if(Meter *mt, BinaryenExpressionRef e)
{
    visit(BinaryenIfGetCondition(e), mt);
    top(mt)->cur += 1;
    int64_t at_branch = top(mt)->cur;
    visit(BinaryenIfGetIfTrue(e), mt);
    int64_t after_true = top(mt)->cur;
    top(mt)->cur = at_branch;
    if (BinaryenIfGetIfFalse(e))
        visit(BinaryenIfGetIfFalse(e), mt);
    top(mt)->cur = max64(top(mt)->cur, after_true);
}

static void visit_loop(Meter *mt, BinaryenExpressionRef e)
{
    const char *name = BinaryenLoopGetName(e);
    size_t mark = mt->nlabels;
    push_region(mt);
    if (name)
        push_label(mt, name, true, (unsigned)mt->nregions - 1);
    visit(BinaryenLoopGetBody(e), mt);
    Region r = *top(mt);
    mt->nregions--;
    mt->nlabels = mark;
    bool falls_through = r.cur >= 0;
    int64_t cost = max64(max64(r.max_end, r.cur), 1);
    if (mt->rewrite) {
        if (getenv("AIRLOCK_PATCH_DEBUG") && cost > 300)
            note("fuel: loop in %s costs %lld", BinaryenFunctionGetName(mt->fn), (long long)cost);
        BinaryenLoopSetBody(e, prepend_check(mt, cost, BinaryenLoopGetBody(e)));
        mt->st->loop_checks++;
    }
    /* the loop is a free pass-through for the enclosing region; its end is
     * reachable only if the body can fall off its end */
    if (!falls_through)
        top(mt)->cur = UNREACH;
}

static void visit(BinaryenExpressionRef e, void *ctx)
{
    Meter *mt = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenBlockId()) {
        visit_block(mt, e);
    } else if (id == BinaryenIfId()) {
        visit_if(mt, e);
    } else if (id == BinaryenLoopId()) {
        visit_loop(mt, e);
    } else {
        for_each_child(e, visit, mt);  /* operands run first */
        top(mt)->cur += node_cost(mt, e);
        if (id == BinaryenBreakId()) {
            branch_to(mt, BinaryenBreakGetName(e));
            if (!BinaryenBreakGetCondition(e))
                top(mt)->cur = UNREACH;
        } else if (id == BinaryenSwitchId()) {
            BinaryenIndex n = BinaryenSwitchGetNumNames(e);
            for (BinaryenIndex i = 0; i < n; i++)
                branch_to(mt, BinaryenSwitchGetNameAt(e, i));
            branch_to(mt, BinaryenSwitchGetDefaultName(e));
            top(mt)->cur = UNREACH;
        } else if (id == BinaryenReturnId() || id == BinaryenUnreachableId()) {
            end_paths(mt, 0);
            top(mt)->cur = UNREACH;
        } else if (mt->rewrite && id == BinaryenMemoryCopyId()) {
            BinaryenMemoryCopySetSize(e, charge_size(mt, BinaryenMemoryCopyGetSize(e)));
        } else if (mt->rewrite && id == BinaryenMemoryFillId()) {
            BinaryenMemoryFillSetSize(e, charge_size(mt, BinaryenMemoryFillGetSize(e)));
        }
    }
}

/* Longest path through the function body (rewriting its loops if asked). */
static int64_t analyse(Meter *mt)
{
    mt->nlabels = mt->nregions = 0;
    push_region(mt);
    visit(BinaryenFunctionGetBody(mt->fn), mt);
    Region r = mt->regions[0];
    mt->nregions = 0;
    return max64(max64(r.max_end, r.cur), 1);
}

/* ---- leaf classification ---- */

typedef struct {
    bool disqualified;
} LeafScan;

static void scan_leaf(BinaryenExpressionRef e, void *ctx)
{
    LeafScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenLoopId() || id == BinaryenCallId() || id == BinaryenCallIndirectId() ||
        id == BinaryenMemoryCopyId() || id == BinaryenMemoryFillId() ||
        id == BinaryenMemoryGrowId() || id == BinaryenMemoryInitId())
        s->disqualified = true;
    else
        for_each_child(e, scan_leaf, s);
}

static Leaf *find_leaves(BinaryenModuleRef m, Meter *mt, size_t *nleaves)
{
    BinaryenIndex n = BinaryenGetNumFunctions(m);
    Leaf *leaves = calloc(n ? n : 1, sizeof *leaves);
    if (!leaves)
        die("out of memory");
    size_t k = 0;
    for (BinaryenIndex i = 0; i < n; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (func_is_import(f))
            continue;
        LeafScan s = {false};
        scan_leaf(BinaryenFunctionGetBody(f), &s);
        if (s.disqualified)
            continue;
        mt->fn = f;
        mt->rewrite = false;
        int64_t cost = analyse(mt);
        if (cost <= FUEL_LEAF_MAX)
            leaves[k++] = (Leaf){BinaryenFunctionGetName(f), cost};
    }
    qsort(leaves, k, sizeof *leaves, leaf_cmp);
    *nleaves = k;
    return leaves;
}

/* ---- entry point ---- */

void fuel_add(BinaryenModuleRef m, bool meter, FuelStats *st)
{
    memset(st, 0, sizeof *st);
    if (BinaryenGetGlobal(m, FUEL_GLOBAL) || BinaryenGetFunction(m, FUEL_IMPORT_INTERNAL) ||
        BinaryenGetExport(m, FUEL_EXPORT))
        die("fuel: the module already has %s (patched twice?)", FUEL_GLOBAL);

    /* Collect the defined functions before adding the import. */
    BinaryenIndex n = BinaryenGetNumFunctions(m);
    BinaryenFunctionRef *defined = calloc(n ? n : 1, sizeof *defined);
    if (!defined)
        die("out of memory");
    size_t ndef = 0;
    for (BinaryenIndex i = 0; i < n; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (!func_is_import(f))
            defined[ndef++] = f;
    }

    BinaryenAddGlobal(m, FUEL_GLOBAL, BinaryenTypeInt64(), true,
                      BinaryenConst(m, BinaryenLiteralInt64(0)));
    BinaryenAddGlobalExport(m, FUEL_GLOBAL, FUEL_EXPORT);
    BinaryenAddFunctionImport(m, FUEL_IMPORT_INTERNAL, FUEL_IMPORT_MODULE, FUEL_IMPORT_BASE,
                              BinaryenTypeNone(), BinaryenTypeNone());
    st->funcs_total = (unsigned)ndef;
    if (!meter) {
        free(defined);
        return;
    }

    Meter mt = {.m = m, .st = st};
    Leaf *leaves = find_leaves(m, &mt, &mt.nleaves);
    mt.leaves = leaves;
    add_charge_bytes(m, &mt);
    st->funcs_leaf = (unsigned)mt.nleaves;
    for (size_t i = 0; i < ndef; i++) {
        BinaryenFunctionRef f = defined[i];
        Leaf key = {BinaryenFunctionGetName(f), 0};
        if (bsearch(&key, mt.leaves, mt.nleaves, sizeof key, leaf_cmp))
            continue;
        mt.fn = f;
        mt.rewrite = true;
        int64_t cost = analyse(&mt);
        if (getenv("AIRLOCK_PATCH_DEBUG") && cost > 300)
            note("fuel: entry of %s costs %lld", BinaryenFunctionGetName(f), (long long)cost);
        BinaryenFunctionSetBody(f, prepend_check(&mt, cost, BinaryenFunctionGetBody(f)));
        st->entry_checks++;
        st->funcs_metered++;
    }
    free(leaves);
    free(mt.labels);
    free(mt.regions);
    free(defined);
}
