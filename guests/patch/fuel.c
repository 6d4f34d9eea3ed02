/*
 * Inline fuel metering.
 *
 * Adds   (global $airlock_fuel (mut i64) (i64.const 0))  exported "airlock_fuel"
 *        (import "airlock" "fuel_exhausted" (func))
 * and inserts
 *   CHECK  airlock_fuel -= COST; if (airlock_fuel < 0) fuel_exhausted();
 *          at every metered function's entry and at every loop header;
 *   CHARGE airlock_fuel -= COST;   (no test, one x86 instruction)
 *          where a br_table (a C switch) lands: see "charge points" below.
 *
 * COST.  A region is a function body or a loop body, minus the loops nested in
 * it (each has its own check).  Inside a region control flow is acyclic:
 * every edge goes forward (to the end of an enclosing block) or ends the
 * region's path (a branch back to a loop header or out of the loop, return,
 * unreachable, falling off the end).  Each check or charge point is an
 * "origin" and pays for the LONGEST path from it to the next origin or the
 * end of the path, counting one unit per WebAssembly instruction (block,
 * loop and nop are free; a nested loop is a free pass-through, its own check
 * pays for its body; code after the loop is paid by the enclosing origins).
 * Every instruction executed is thus paid for in advance by the last origin
 * passed: fuel consumed >= instructions executed, deterministically.
 *
 * Charge points (optional, FUEL_SWITCH_MIN_CASES in patch.h).  With one
 * charge per loop iteration, an interpreter's dispatch loop (loop { br_table
 * over ~100 opcode cases }) pays for its longest opcode on every iteration.
 * With charge points, the code following the end of each block that is a
 * br_table target (a switch case) starts a new origin that pays for that
 * case only; the loop header pays for the path up to the br_table.  Paths
 * that merge are paid by every origin they come from, so the bound above
 * still holds.  Off by default: it costs ~3% speed on fib.
 *
 * Checks happen at loop headers and at the entries of the functions that
 * can be part of a call cycle: those in the table or exported (any cycle
 * through call_indirect or through the host passes their entry) and those
 * in a cycle of direct calls made outside loops (a call inside a loop comes
 * after the loop header's check on every iteration, so a cycle through it
 * checks already).  The other functions' entries only CHARGE.
 * Every unbounded execution repeats a loop or a call cycle, so it passes
 * checks again and again; between two checks the code runs a bounded path
 * (acyclic regions, an acyclic call tree, returns limited by the stack), so
 * fuel can go below zero only by a bounded amount before fuel_exhausted()
 * is called.  The amounts charged are the same either way.
 *
 * Folded entries.  A charge-only entry that costs at most FUEL_FOLD_MAX is
 * removed: such a function is reached by direct calls only, so each call
 * site pays 1 + its entry's cost, as for a tiny leaf (below).  N, the most
 * fuel charged from one check to the next, is computed with every
 * charge-only entry folded and kept under FUEL_CHECK_INTERVAL_MAX by giving
 * the costliest ones checks (bound_check_interval).
 *
 * memory.copy / memory.fill additionally pay size / FUEL_BYTES_PER_UNIT units,
 * charged and checked just before the operation (after its operands).
 *
 * Tiny leaves are not metered: a function without loops, calls or bulk
 * memory operations whose longest path is at most FUEL_LEAF_MAX units.  A
 * call to it runs at most that many instructions and nothing else, so its
 * work is paid at the call site instead: a direct call costs 1 + the leaf's
 * COST; call_indirect and calls to imports cost 1 + FUEL_LEAF_MAX, which
 * covers any leaf they may reach.  The bound still holds.  Imported functions are never metered.
 */
#include "patch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUEL_IMPORT_INTERNAL "airlock$fuel_exhausted"
#define CHARGE_BYTES_INTERNAL "airlock$charge_bytes"

/* Grows an array to hold `need` elements; new slots are zeroed. */
static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap * 2 : 8;
    while (c < need)
        c *= 2;
    p = realloc(p, c * elem);
    if (!p)
        die("out of memory");
    memset((char *)p + *cap * elem, 0, (c - *cap) * elem);
    *cap = c;
    return p;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

/* ---- path states: for each origin reaching a point, the longest path ---- */

typedef struct {
    unsigned origin;
    int64_t len;
} Path;

typedef struct {
    Path *p;
    size_t n, cap;   /* n == 0: the point is unreachable */
} State;

static void st_free(State *s)
{
    free(s->p);
    *s = (State){0};
}

static void st_single(State *s, unsigned origin)
{
    s->p = grow(s->p, &s->cap, 1, sizeof *s->p);
    s->p[0] = (Path){origin, 0};
    s->n = 1;
}

static void st_copy(State *dst, const State *src)
{
    dst->p = grow(dst->p, &dst->cap, src->n, sizeof *dst->p);
    if (src->n)
        memcpy(dst->p, src->p, src->n * sizeof *src->p);
    dst->n = src->n;
}

/* dst = max(dst, src), origin by origin */
static void st_merge(State *dst, const State *src)
{
    for (size_t i = 0; i < src->n; i++) {
        size_t j = 0;
        while (j < dst->n && dst->p[j].origin != src->p[i].origin)
            j++;
        if (j == dst->n) {
            dst->p = grow(dst->p, &dst->cap, dst->n + 1, sizeof *dst->p);
            dst->p[dst->n++] = src->p[i];
        } else {
            dst->p[j].len = max64(dst->p[j].len, src->p[i].len);
        }
    }
}

static void st_add(State *s, int64_t k)
{
    for (size_t i = 0; i < s->n; i++)
        s->p[i].len += k;
}

/* ---- the defined functions, by name ---- */

typedef struct {
    const char *name;
    unsigned idx;
} NameIdx;

static int nameidx_cmp(const void *a, const void *b)
{
    return strcmp(((const NameIdx *)a)->name, ((const NameIdx *)b)->name);
}

typedef struct {
    NameIdx *names;  /* sorted by name */
    size_t n;
} FuncIndex;

/* Index of the defined function `name`, or -1 (an import). */
static int func_lookup(const FuncIndex *fx, const char *name)
{
    NameIdx key = {name, 0};
    const NameIdx *r = bsearch(&key, fx->names, fx->n, sizeof key, nameidx_cmp);
    return r ? (int)r->idx : -1;
}

/* ---- the analysis ---- */

typedef struct {
    const char *name;
    bool is_loop;
    unsigned region;   /* region the label belongs to (a loop: the region it heads) */
    State in;          /* blocks: paths arriving at the block's end by a branch */
} Label;

typedef struct {
    int64_t cost;                   /* longest path from this origin */
    BinaryenExpressionRef constant; /* charge points: the i64.const to fill in */
} Origin;

typedef struct {
    BinaryenModuleRef m;
    BinaryenFunctionRef fn;
    bool rewrite;        /* false: analysis only, no charge points */
    const FuncIndex *fx;
    int counter;         /* the local holding the counter in this function
                          * (FUEL_LOCAL_COUNTER), or -1: the global */
    BinaryenIndex first_added; /* index of the first var added */
    BinaryenType *added; /* the vars added to this function: counter, temps */
    size_t nadded, cap_added;
    const bool *quiet;   /* per defined function: never reads or writes the
                          * counter (a tiny leaf, or a folded entry with no
                          * loop, catch or bulk-memory operation that calls
                          * only such functions) */
    const int64_t *paid; /* per defined function: the entry cost its callers
                          * pay at the call (a tiny leaf or a folded entry),
                          * or -1: it charges its own entry */
    Label *labels;
    size_t nlabels, cap_labels;
    State *regions;      /* the current point's state, per region */
    size_t nregions, cap_regions;
    Origin *origins;
    size_t norigins, cap_origins;
    const char **targets; /* labels some br_table branches to */
    size_t ntargets, cap_targets;
    FuelStats *st;
} Meter;

static State *cur(Meter *mt)
{
    return &mt->regions[mt->nregions - 1];
}

static unsigned new_origin(Meter *mt, BinaryenExpressionRef constant)
{
    mt->origins = grow(mt->origins, &mt->cap_origins, mt->norigins + 1, sizeof *mt->origins);
    mt->origins[mt->norigins] = (Origin){0, constant};
    return (unsigned)mt->norigins++;
}

/* The paths in s end here: their origins pay for them. */
static void st_end(Meter *mt, const State *s)
{
    for (size_t i = 0; i < s->n; i++) {
        Origin *o = &mt->origins[s->p[i].origin];
        o->cost = max64(o->cost, s->p[i].len);
    }
}

/* The path ends here in regions [from, innermost]. */
static void end_paths(Meter *mt, size_t from)
{
    for (size_t r = from; r < mt->nregions; r++)
        st_end(mt, &mt->regions[r]);
}

static void push_label(Meter *mt, const char *name, bool is_loop, unsigned region)
{
    mt->labels = grow(mt->labels, &mt->cap_labels, mt->nlabels + 1, sizeof *mt->labels);
    Label *l = &mt->labels[mt->nlabels++];
    *l = (Label){name, is_loop, region, l->in};  /* reuse the old buffer */
    l->in.n = 0;
}

static void push_region(Meter *mt, unsigned origin)
{
    mt->regions = grow(mt->regions, &mt->cap_regions, mt->nregions + 1, sizeof *mt->regions);
    st_single(&mt->regions[mt->nregions++], origin); /* slots keep their buffers */
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
            st_merge(&l->in, &mt->regions[l->region]);
            end_paths(mt, l->region + 1);
        }
        return;
    }
    die("fuel: branch to unknown label %s in %s", name, BinaryenFunctionGetName(mt->fn));
}

static bool is_switch_target(const Meter *mt, const char *name)
{
    for (size_t i = 0; i < mt->ntargets; i++)
        if (strcmp(mt->targets[i], name) == 0)
            return true;
    return false;
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
        int t = func_lookup(mt->fx, BinaryenCallGetTarget(e));
        if (t < 0)
            return 1 + FUEL_LEAF_MAX;  /* an import */
        return mt->paid[t] >= 0 ? 1 + mt->paid[t] : 1;
    }
    return 1;
}

/* ---- code generation ---- */

static void count_cost(FuelStats *st, int64_t cost)
{
    st->cost_sum += (uint64_t)cost;
    st->max_cost = max64(st->max_cost, cost);
}

/* The counter: the global, or the function's local copy of it. */
static BinaryenExpressionRef get_counter(Meter *mt)
{
    if (mt->counter < 0)
        return BinaryenGlobalGet(mt->m, FUEL_GLOBAL, BinaryenTypeInt64());
    return BinaryenLocalGet(mt->m, (BinaryenIndex)mt->counter, BinaryenTypeInt64());
}

static BinaryenExpressionRef set_counter(Meter *mt, BinaryenExpressionRef value)
{
    if (mt->counter < 0)
        return BinaryenGlobalSet(mt->m, FUEL_GLOBAL, value);
    return BinaryenLocalSet(mt->m, (BinaryenIndex)mt->counter, value);
}

/* With a local copy: global = local (before the code leaves the function or
 * calls the host), local = global (after the host call). */
static BinaryenExpressionRef store_counter(Meter *mt)
{
    return BinaryenGlobalSet(mt->m, FUEL_GLOBAL,
                             BinaryenLocalGet(mt->m, (BinaryenIndex)mt->counter, BinaryenTypeInt64()));
}

static BinaryenExpressionRef load_counter(Meter *mt)
{
    return BinaryenLocalSet(mt->m, (BinaryenIndex)mt->counter,
                            BinaryenGlobalGet(mt->m, FUEL_GLOBAL, BinaryenTypeInt64()));
}

static BinaryenExpressionRef gen_charge(Meter *mt, BinaryenExpressionRef amount)
{
    return set_counter(mt, BinaryenBinary(mt->m, BinaryenSubInt64(), get_counter(mt), amount));
}

/* if (fuel < 0) fuel_exhausted(); the host reads and writes the global */
static BinaryenExpressionRef gen_check(Meter *mt)
{
    BinaryenModuleRef m = mt->m;
    BinaryenExpressionRef neg =
        BinaryenBinary(m, BinaryenLtSInt64(), get_counter(mt), BinaryenConst(m, BinaryenLiteralInt64(0)));
    BinaryenExpressionRef call = BinaryenCall(m, FUEL_IMPORT_INTERNAL, NULL, 0, BinaryenTypeNone());
    if (mt->counter >= 0) {
        BinaryenExpressionRef kids[3] = {store_counter(mt), call, load_counter(mt)};
        call = BinaryenBlock(m, NULL, kids, 3, BinaryenTypeNone());
    }
    return BinaryenIf(m, neg, call, NULL);
}

/* { fuel -= cost; if (fuel < 0) fuel_exhausted(); body } */
static BinaryenExpressionRef prepend_check(Meter *mt, int64_t cost, BinaryenExpressionRef body)
{
    if (getenv("AIRLOCK_PATCH_COUNT_CHECKS")) /* debugging: fuel = checks executed */
        cost = 1;
    BinaryenExpressionRef kids[3] = {
        gen_charge(mt, BinaryenConst(mt->m, BinaryenLiteralInt64(cost))), gen_check(mt), body};
    count_cost(mt->st, cost);
    return BinaryenBlock(mt->m, NULL, kids, 3, BinaryenTypeAuto());
}

/* { fuel -= cost; body } */
static BinaryenExpressionRef prepend_charge(Meter *mt, int64_t cost, BinaryenExpressionRef body)
{
    BinaryenExpressionRef kids[2] = {
        gen_charge(mt, BinaryenConst(mt->m, BinaryenLiteralInt64(cost))), body};
    count_cost(mt->st, cost);
    return BinaryenBlock(mt->m, NULL, kids, 2, BinaryenTypeAuto());
}

/* memory.copy/fill size operand -> (call $charge_bytes size).  The helper
 * (added once, not metered itself) charges size / FUEL_BYTES_PER_UNIT units,
 * checks, and returns its argument: the size is evaluated exactly where it
 * was (after dest and src/value), and the function parameter serves as the
 * temporary, so no locals are added and re-entrancy is not an issue. */
static void add_charge_bytes(Meter *mt)
{
    BinaryenModuleRef m = mt->m;
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

/* ---- the counter in a local (FUEL_LOCAL_COUNTER) ----
 *
 * In a function with a loop that makes no call which may touch the counter
 * (only calls to quiet functions: Meter.quiet), no bulk-memory operation
 * and no try, the counter lives in a local: loaded at the entry, stored
 * before every way out (return, throw, rethrow, unreachable, the end) and
 * around the fuel_exhausted call of a check.  The C compiler then keeps it
 * in a register in the function's loops instead of a read-modify-write of
 * the instance on every iteration (a chain of store-to-load forwarding from
 * one iteration to the next).  The charges are the same, at the same
 * points.  Doing the same in functions that make calls (the counter stored
 * before each, reloaded after) measured slower: see README.md. */

static BinaryenIndex add_var(Meter *mt, BinaryenType t)
{
    mt->added = grow(mt->added, &mt->cap_added, mt->nadded + 1, sizeof *mt->added);
    mt->added[mt->nadded] = t;
    return mt->first_added + (BinaryenIndex)mt->nadded++;
}

/* One temporary per type: each is set and read back at once, with only
 * the counter's store between. */
static BinaryenIndex temp_of(Meter *mt, BinaryenType t)
{
    for (size_t i = 1; i < mt->nadded; i++) /* 0 is the counter */
        if (mt->added[i] == t)
            return mt->first_added + (BinaryenIndex)i;
    return add_var(mt, t);
}

/* value, then the counter stored, the value's result kept */
static BinaryenExpressionRef then_store(Meter *mt, BinaryenExpressionRef value)
{
    BinaryenModuleRef m = mt->m;
    BinaryenType t = BinaryenExpressionGetType(value);
    if (t == BinaryenTypeUnreachable())
        return value;
    if (t == BinaryenTypeNone()) {
        BinaryenExpressionRef kids[2] = {value, store_counter(mt)};
        return BinaryenBlock(m, NULL, kids, 2, BinaryenTypeNone());
    }
    BinaryenIndex tmp = temp_of(mt, t);
    BinaryenExpressionRef kids[3] = {BinaryenLocalSet(m, tmp, value), store_counter(mt),
                                     BinaryenLocalGet(m, tmp, t)};
    return BinaryenBlock(m, NULL, kids, 3, t);
}

static BinaryenExpressionRef store_first(Meter *mt, BinaryenExpressionRef e)
{
    BinaryenExpressionRef kids[2] = {store_counter(mt), e};
    return BinaryenBlock(mt->m, NULL, kids, 2, BinaryenTypeAuto());
}

/* Stores the counter before every way out of the function but its end. */
static BinaryenExpressionRef store_on_exits(BinaryenExpressionRef e, void *ctx)
{
    Meter *mt = ctx;
    map_children(e, store_on_exits, mt);
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenReturnId() && BinaryenReturnGetValue(e)) {
        BinaryenReturnSetValue(e, then_store(mt, BinaryenReturnGetValue(e)));
    } else if (id == BinaryenThrowId() && BinaryenThrowGetNumOperands(e) > 0) {
        BinaryenIndex last = BinaryenThrowGetNumOperands(e) - 1;
        BinaryenThrowSetOperandAt(e, last, then_store(mt, BinaryenThrowGetOperandAt(e, last)));
    } else if (id == BinaryenReturnId() || id == BinaryenThrowId() || id == BinaryenRethrowId() ||
               id == BinaryenUnreachableId()) {
        return store_first(mt, e);
    }
    return e;
}

/* Whether a call may read or write the counter. */
static bool call_touches_counter(const Meter *mt, BinaryenExpressionRef e)
{
    if (BinaryenExpressionGetId(e) == BinaryenCallIndirectId())
        return true;
    int t = func_lookup(mt->fx, BinaryenCallGetTarget(e));
    return t < 0 || !mt->quiet[t]; /* imports do */
}

/* Whether a function has a loop, and whether it has code that may touch the
 * counter. */
typedef struct {
    const Meter *mt;
    bool loop, noisy;
} CounterScan;

static void scan_counter_use(BinaryenExpressionRef e, void *ctx)
{
    CounterScan *cs = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenLoopId())
        cs->loop = true;
    if (((id == BinaryenCallId() || id == BinaryenCallIndirectId()) && call_touches_counter(cs->mt, e)) ||
        id == BinaryenMemoryCopyId() || id == BinaryenMemoryFillId() || id == BinaryenTryId())
        cs->noisy = true;
    for_each_child(e, scan_counter_use, ctx);
}

/* Vars added per function, to make the functions again with them. */
typedef struct {
    BinaryenType *types;
    size_t n;
} AddedVars;

/* Binaryen's C API cannot add a var to a function: every defined function
 * (and the bulk-memory helper, added after them) is made again, in order,
 * so function indices do not change. */
static void remake_functions(BinaryenModuleRef m, BinaryenFunctionRef *defined, size_t ndef,
                             const AddedVars *added)
{
    for (size_t i = 0; i <= ndef; i++) {
        BinaryenFunctionRef f = i < ndef ? defined[i] : BinaryenGetFunction(m, CHARGE_BYTES_INTERNAL);
        const char *name = BinaryenFunctionGetName(f);
        BinaryenType params = BinaryenFunctionGetParams(f), results = BinaryenFunctionGetResults(f);
        BinaryenIndex nvars = BinaryenFunctionGetNumVars(f);
        size_t nadd = i < ndef ? added[i].n : 0;
        BinaryenType *vars = malloc((nvars + nadd + 1) * sizeof *vars);
        if (!vars)
            die("out of memory");
        for (BinaryenIndex k = 0; k < nvars; k++)
            vars[k] = BinaryenFunctionGetVar(f, k);
        for (size_t k = 0; k < nadd; k++)
            vars[nvars + k] = added[i].types[k];
        BinaryenExpressionRef body = BinaryenFunctionGetBody(f);
        BinaryenRemoveFunction(m, name);
        BinaryenFunctionRef g = BinaryenAddFunction(m, name, params, results, vars,
                                                    (BinaryenIndex)(nvars + nadd), body);
        if (i < ndef)
            defined[i] = g;
        free(vars);
    }
}

/* ---- the walk ---- */

static void visit(BinaryenExpressionRef e, void *ctx);

/* A charge point at child i of block e: ends the paths arriving here and
 * starts a new origin, whose cost is filled in when the region is done. */
static void insert_charge_point(Meter *mt, BinaryenExpressionRef e, BinaryenIndex i)
{
    BinaryenExpressionRef c = BinaryenConst(mt->m, BinaryenLiteralInt64(0));
    BinaryenBlockInsertChildAt(e, i, gen_charge(mt, c));
    st_end(mt, cur(mt));
    st_single(cur(mt), new_origin(mt, c));
    mt->st->charge_points++;
}

static void visit_block(Meter *mt, BinaryenExpressionRef e)
{
    const char *name = BinaryenBlockGetName(e);
    size_t mark = mt->nlabels;
    if (name)
        push_label(mt, name, false, (unsigned)mt->nregions - 1);
    for (BinaryenIndex i = 0; i < BinaryenBlockGetNumChildren(e); i++) {
        BinaryenExpressionRef child = BinaryenBlockGetChildAt(e, i);
        visit(child, mt);
        /* a switch case starts after the end of a br_table target block */
        const char *cname = BinaryenExpressionGetId(child) == BinaryenBlockId()
                                ? BinaryenBlockGetName(child) : NULL;
        if (mt->rewrite && cname && cur(mt)->n && i + 1 < BinaryenBlockGetNumChildren(e) &&
            is_switch_target(mt, cname)) {
            insert_charge_point(mt, e, i + 1);
            i++; /* skip the charge itself */
        }
    }
    if (name) {
        st_merge(cur(mt), &mt->labels[mark].in);
        mt->nlabels = mark;
    }
}

static void visit_if(Meter *mt, BinaryenExpressionRef e)
{
    visit(BinaryenIfGetCondition(e), mt);
    st_add(cur(mt), 1);
    State at_branch = {0}, after_true = {0};
    st_copy(&at_branch, cur(mt));
    visit(BinaryenIfGetIfTrue(e), mt);
    st_copy(&after_true, cur(mt));
    st_copy(cur(mt), &at_branch);
    if (BinaryenIfGetIfFalse(e))
        visit(BinaryenIfGetIfFalse(e), mt);
    st_merge(cur(mt), &after_true);
    st_free(&at_branch);
    st_free(&after_true);
}

static void visit_loop(Meter *mt, BinaryenExpressionRef e)
{
    const char *name = BinaryenLoopGetName(e);
    size_t mark = mt->nlabels;
    unsigned header = new_origin(mt, NULL);
    push_region(mt, header);
    if (name)
        push_label(mt, name, true, (unsigned)mt->nregions - 1);
    visit(BinaryenLoopGetBody(e), mt);
    bool falls_through = cur(mt)->n > 0;
    st_end(mt, cur(mt)); /* leaving the loop ends its origins' paths */
    mt->nregions--;
    mt->nlabels = mark;
    if (mt->rewrite) {
        int64_t cost = max64(mt->origins[header].cost, 1);
        if (getenv("AIRLOCK_PATCH_DEBUG") && cost > 300)
            note("fuel: loop in %s costs %lld", BinaryenFunctionGetName(mt->fn), (long long)cost);
        BinaryenLoopSetBody(e, prepend_check(mt, cost, BinaryenLoopGetBody(e)));
        mt->st->loop_checks++;
    }
    /* the loop is a free pass-through for the enclosing region; its end is
     * reachable only if the body can fall off its end */
    if (!falls_through)
        cur(mt)->n = 0;
}

/* A catch body that takes the exception's value begins with its `pop`
 * (Binaryen requires it first): the charge goes right after. */
static BinaryenExpressionRef charge_catch(Meter *mt, BinaryenExpressionRef body, bool has_pop,
                                          BinaryenExpressionRef amount)
{
    BinaryenExpressionRef charge = gen_charge(mt, amount);
    if (!has_pop) {
        BinaryenExpressionRef kids[2] = {charge, body};
        return BinaryenBlock(mt->m, NULL, kids, 2, BinaryenTypeAuto());
    }
    if (BinaryenExpressionGetId(body) != BinaryenBlockId() || BinaryenBlockGetNumChildren(body) == 0 ||
        (BinaryenBlockGetNumChildren(body) == 1 &&
         BinaryenExpressionGetType(BinaryenBlockGetChildAt(body, 0)) != BinaryenTypeNone()))
        die("fuel: a catch body in %s does not start with a pop statement", BinaryenFunctionGetName(mt->fn));
    BinaryenBlockInsertChildAt(body, 1, charge);
    return body;
}

/* try: each catch body is entered from wherever the body (or a callee)
 * threw, so it starts an origin of its own, with a charge point, like a
 * switch case. The paths that leave the try are the body's and the
 * catches'. */
static void visit_try(Meter *mt, BinaryenExpressionRef e)
{
    visit(BinaryenTryGetBody(e), mt);
    State out = {0};
    st_copy(&out, cur(mt));
    BinaryenIndex ntags = BinaryenTryGetNumCatchTags(e);
    for (BinaryenIndex i = 0; i < BinaryenTryGetNumCatchBodies(e); i++) {
        BinaryenExpressionRef body = BinaryenTryGetCatchBodyAt(e, i);
        BinaryenExpressionRef amount = mt->rewrite ? BinaryenConst(mt->m, BinaryenLiteralInt64(0)) : NULL;
        st_single(cur(mt), new_origin(mt, amount));
        visit(body, mt);
        st_merge(&out, cur(mt));
        if (mt->rewrite) {
            bool has_pop = i < ntags && BinaryenTagGetParams(BinaryenGetTag(mt->m, BinaryenTryGetCatchTagAt(e, i))) !=
                                            BinaryenTypeNone();
            BinaryenTrySetCatchBodyAt(e, i, charge_catch(mt, body, has_pop, amount));
            mt->st->charge_points++;
        }
    }
    st_copy(cur(mt), &out);
    st_free(&out);
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
    } else if (id == BinaryenTryId()) {
        visit_try(mt, e);
    } else {
        for_each_child(e, visit, mt);  /* operands run first */
        st_add(cur(mt), node_cost(mt, e));
        if (id == BinaryenBreakId()) {
            branch_to(mt, BinaryenBreakGetName(e));
            if (!BinaryenBreakGetCondition(e))
                cur(mt)->n = 0;
        } else if (id == BinaryenSwitchId()) {
            BinaryenIndex n = BinaryenSwitchGetNumNames(e);
            for (BinaryenIndex i = 0; i < n; i++)
                branch_to(mt, BinaryenSwitchGetNameAt(e, i));
            branch_to(mt, BinaryenSwitchGetDefaultName(e));
            cur(mt)->n = 0;
        } else if (id == BinaryenReturnId() || id == BinaryenUnreachableId() || id == BinaryenThrowId() ||
                   id == BinaryenRethrowId()) {
            end_paths(mt, 0);
            cur(mt)->n = 0;
        } else if (mt->rewrite && id == BinaryenMemoryCopyId()) {
            BinaryenMemoryCopySetSize(e, charge_size(mt, BinaryenMemoryCopyGetSize(e)));
        } else if (mt->rewrite && id == BinaryenMemoryFillId()) {
            BinaryenMemoryFillSetSize(e, charge_size(mt, BinaryenMemoryFillGetSize(e)));
        }
    }
}

static void collect_targets(BinaryenExpressionRef e, void *ctx)
{
    Meter *mt = ctx;
    if (BinaryenExpressionGetId(e) == BinaryenSwitchId() &&
        (int64_t)BinaryenSwitchGetNumNames(e) + 1 >= (int64_t)FUEL_SWITCH_MIN_CASES) {
        BinaryenIndex n = BinaryenSwitchGetNumNames(e);
        for (BinaryenIndex i = 0; i <= n; i++) {
            const char *t = i < n ? BinaryenSwitchGetNameAt(e, i) : BinaryenSwitchGetDefaultName(e);
            if (!is_switch_target(mt, t)) {
                mt->targets = grow(mt->targets, &mt->cap_targets, mt->ntargets + 1, sizeof *mt->targets);
                mt->targets[mt->ntargets++] = t;
            }
        }
    }
    for_each_child(e, collect_targets, mt);
}

/* Longest path from the function's entry to the first charge point or end
 * (inserting charge points and loop checks if mt->rewrite). */
static int64_t analyse(Meter *mt)
{
    mt->nlabels = mt->nregions = mt->norigins = mt->ntargets = 0;
    if (mt->rewrite && FUEL_SWITCH_MIN_CASES > 0)
        collect_targets(BinaryenFunctionGetBody(mt->fn), mt);
    unsigned entry = new_origin(mt, NULL);
    push_region(mt, entry);
    visit(BinaryenFunctionGetBody(mt->fn), mt);
    st_end(mt, cur(mt));
    mt->nregions = 0;
    for (size_t i = 0; i < mt->norigins; i++)
        if (mt->origins[i].constant) {
            BinaryenConstSetValueI64(mt->origins[i].constant, mt->origins[i].cost);
            count_cost(mt->st, mt->origins[i].cost);
        }
    return max64(mt->origins[entry].cost, 1);
}

/* ---- leaf classification ---- */

static void scan_leaf(BinaryenExpressionRef e, void *ctx)
{
    bool *disqualified = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenLoopId() || id == BinaryenCallId() || id == BinaryenCallIndirectId() ||
        id == BinaryenMemoryCopyId() || id == BinaryenMemoryFillId() ||
        id == BinaryenMemoryGrowId() || id == BinaryenMemoryInitId() || id == BinaryenTryId())
        *disqualified = true; /* a try's catch bodies need charge points */
    else
        for_each_child(e, scan_leaf, ctx);
}

/* Sets paid[i] to the cost of each tiny leaf; returns how many there are. */
static unsigned find_leaves(Meter *mt, BinaryenFunctionRef *defined, size_t ndef, int64_t *paid)
{
    unsigned k = 0;
    for (size_t i = 0; i < ndef; i++) {
        bool disqualified = false;
        scan_leaf(BinaryenFunctionGetBody(defined[i]), &disqualified);
        if (disqualified)
            continue;
        mt->fn = defined[i];
        mt->rewrite = false;
        int64_t cost = analyse(mt);
        if (cost <= FUEL_LEAF_MAX) {
            paid[i] = cost;
            k++;
        }
    }
    return k;
}

/* ---- which entries need a check: possible members of a call cycle ---- */

typedef struct {
    unsigned to;   /* a defined function */
    bool in_loop;  /* the call is inside a loop of the caller */
} Call;

typedef struct {
    const FuncIndex *fx;
    Call **callees;      /* direct calls to defined functions, per function */
    size_t *ncallees, *cap;
    bool *check;         /* result */
    unsigned cur;        /* function being scanned */
    unsigned loop_depth; /* loops around the expression being scanned */
    /* Tarjan */
    int *index, *low;
    bool *on_stack;
    unsigned *stack;
    size_t sp;
    int next_index;
} CallGraph;

static void cg_scan(BinaryenExpressionRef e, void *ctx)
{
    CallGraph *g = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    int t = -1;
    if (id == BinaryenCallId())
        t = func_lookup(g->fx, BinaryenCallGetTarget(e));
    else if (id == BinaryenRefFuncId() && (t = func_lookup(g->fx, BinaryenRefFuncGetFunc(e))) >= 0)
        g->check[t] = true;  /* address taken: may be called indirectly */
    if (id == BinaryenCallId() && t >= 0) {
        unsigned c = g->cur;
        g->callees[c] = grow(g->callees[c], &g->cap[c], g->ncallees[c] + 1, sizeof **g->callees);
        g->callees[c][g->ncallees[c]++] = (Call){(unsigned)t, g->loop_depth > 0};
    }
    g->loop_depth += id == BinaryenLoopId();
    for_each_child(e, cg_scan, g);
    g->loop_depth -= id == BinaryenLoopId();
}

static void cg_strongconnect(CallGraph *g, unsigned v)
{
    g->index[v] = g->low[v] = g->next_index++;
    g->stack[g->sp++] = v;
    g->on_stack[v] = true;
    bool self_loop = false;
    for (size_t i = 0; i < g->ncallees[v]; i++) {
        /* A call inside a loop is reached through the loop header's check
         * on every iteration, so a call cycle through it already checks:
         * it is not an edge of the graph whose cycles need entry checks. */
        if (g->callees[v][i].in_loop)
            continue;
        unsigned w = g->callees[v][i].to;
        if (w == v)
            self_loop = true;
        if (g->index[w] < 0) {
            cg_strongconnect(g, w);
            if (g->low[w] < g->low[v])
                g->low[v] = g->low[w];
        } else if (g->on_stack[w] && g->index[w] < g->low[v]) {
            g->low[v] = g->index[w];
        }
    }
    if (g->low[v] != g->index[v])
        return;
    size_t base = g->sp;
    while (g->stack[base - 1] != v)
        base--;
    base--;
    bool cyclic = g->sp - base > 1 || self_loop;
    for (size_t i = base; i < g->sp; i++) {
        g->on_stack[g->stack[i]] = false;
        if (cyclic)
            g->check[g->stack[i]] = true;
    }
    g->sp = base;
}

/* Builds the graph of direct calls and sets g->check
 * for the functions whose entry needs a check. */
static void cg_build(CallGraph *g, BinaryenModuleRef m, const FuncIndex *fx,
                     BinaryenFunctionRef *defined, size_t ndef)
{
    *g = (CallGraph){.fx = fx};
    g->callees = calloc(ndef + 1, sizeof *g->callees);
    g->ncallees = calloc(ndef + 1, sizeof *g->ncallees);
    g->cap = calloc(ndef + 1, sizeof *g->cap);
    g->check = calloc(ndef + 1, sizeof *g->check);
    g->index = malloc((ndef + 1) * sizeof *g->index);
    g->low = calloc(ndef + 1, sizeof *g->low);
    g->on_stack = calloc(ndef + 1, sizeof *g->on_stack);
    g->stack = calloc(ndef + 1, sizeof *g->stack);
    if (!g->callees || !g->ncallees || !g->cap || !g->check || !g->index || !g->low ||
        !g->on_stack || !g->stack)
        die("out of memory");
    for (size_t i = 0; i < ndef; i++)
        g->index[i] = -1;

    /* reachable from outside the direct-call graph: the table, exports */
    BinaryenIndex nseg = BinaryenGetNumElementSegments(m);
    for (BinaryenIndex s = 0; s < nseg; s++) {
        BinaryenElementSegmentRef seg = BinaryenGetElementSegmentByIndex(m, s);
        BinaryenIndex len = BinaryenElementSegmentGetLength(seg);
        for (BinaryenIndex k = 0; k < len; k++) {
            int t = func_lookup(fx, BinaryenElementSegmentGetData(seg, k));
            if (t >= 0)
                g->check[t] = true;
        }
    }
    BinaryenIndex nexp = BinaryenGetNumExports(m);
    for (BinaryenIndex k = 0; k < nexp; k++) {
        BinaryenExportRef ex = BinaryenGetExportByIndex(m, k);
        int t;
        if (BinaryenExportGetKind(ex) == BinaryenExternalFunction() &&
            (t = func_lookup(fx, BinaryenExportGetValue(ex))) >= 0)
            g->check[t] = true;
    }
    for (size_t i = 0; i < ndef; i++) {
        g->cur = (unsigned)i;
        cg_scan(BinaryenFunctionGetBody(defined[i]), g);
    }
    for (size_t i = 0; i < ndef; i++)
        if (g->index[i] < 0)
            cg_strongconnect(g, (unsigned)i);
}

static void cg_free(CallGraph *g, size_t ndef)
{
    for (size_t i = 0; i < ndef; i++)
        free(g->callees[i]);
    free(g->callees);
    free(g->ncallees);
    free(g->cap);
    free(g->check);
    free(g->index);
    free(g->low);
    free(g->on_stack);
    free(g->stack);
}

/* ---- folded entries: charged by the callers ---- */

typedef struct {
    Meter *mt;
    CallGraph *g;
    BinaryenFunctionRef *defined;
    const bool *leaf;
    int64_t *paid;
    unsigned char *state; /* 0 not seen, 1 in progress, 2 done */
    int64_t cap;          /* fold entries that cost at most this */
    bool bound;           /* give checks to keep intervals under FUEL_CHECK_INTERVAL_MAX */
    unsigned checks_added;
} Fold;

static bool charge_only(const Fold *fd, unsigned i)
{
    return !fd->g->check[i] && !fd->leaf[i];
}

/* Analyses function i; returns its entry's cost, and its costliest origin's
 * in *worst. */
static int64_t costs(Fold *fd, unsigned i, int64_t *worst)
{
    fd->mt->fn = fd->defined[i];
    fd->mt->rewrite = false;
    int64_t entry = analyse(fd->mt);
    *worst = 0;
    for (size_t k = 0; k < fd->mt->norigins; k++)
        *worst = max64(*worst, fd->mt->origins[k].cost);
    return entry;
}

/* Turns function i's costliest folded callee (outside loops only if
 * entry_only) into a check; false if it has none. */
static bool give_check(Fold *fd, unsigned i, bool entry_only)
{
    int best = -1;
    for (size_t k = 0; k < fd->g->ncallees[i]; k++) {
        const Call *c = &fd->g->callees[i][k];
        if ((entry_only && c->in_loop) || !charge_only(fd, c->to) || fd->paid[c->to] < 0)
            continue;
        if (best < 0 || fd->paid[c->to] > fd->paid[best])
            best = (int)c->to;
    }
    if (best < 0)
        return false;
    fd->g->check[best] = true;
    fd->paid[best] = -1;
    fd->checks_added++;
    return true;
}

/* A function whose entry only charges (no check: it is in no call cycle,
 * never called through the table or by the host) is reached by direct calls
 * only.  If that charge is at most fd->cap it is folded: the entry charges
 * nothing and every call site pays 1 + the entry's cost, as for a tiny leaf.
 * The entry's cost counts the folded entries of the functions it calls
 * outside its loops (calls inside a loop are paid by the loop's check), so
 * those are folded first; among charge-only functions those calls form no
 * cycle (a cycle would make them checks). */
static void fold(Fold *fd, unsigned i)
{
    if (fd->state[i] == 2)
        return;
    if (fd->state[i] == 1)
        die("fuel: internal: a call cycle among charge-only functions");
    fd->state[i] = 1;
    for (size_t k = 0; k < fd->g->ncallees[i]; k++) {
        unsigned c = fd->g->callees[i][k].to;
        if (!fd->g->callees[i][k].in_loop && charge_only(fd, c))
            fold(fd, c);
    }
    int64_t worst, cost = costs(fd, i, &worst);
    while (fd->bound && cost > FUEL_CHECK_INTERVAL_MAX && give_check(fd, i, true))
        cost = costs(fd, i, &worst);
    if (cost <= fd->cap)
        fd->paid[i] = cost;
    fd->state[i] = 2;
}

/* Folds every charge-only entry that costs at most cap (paid: the leaves'
 * costs, -1 elsewhere). */
static void fold_all(Fold *fd, size_t ndef, int64_t cap, const int64_t *leaf_cost)
{
    memcpy(fd->paid, leaf_cost, ndef * sizeof *fd->paid);
    memset(fd->state, 0, ndef);
    fd->cap = cap;
    for (size_t i = 0; i < ndef; i++)
        if (charge_only(fd, (unsigned)i))
            fold(fd, (unsigned)i);
}

/* With every charge-only entry folded, nothing charges between two checks
 * but the catches (each pays for its own body), so the most fuel charged
 * from one check to the next is the largest cost of any origin then.  Where
 * that is over FUEL_CHECK_INTERVAL_MAX, the costliest folded callees get
 * checks (in call order: callees first), until it is not or no callee is left
 * (a region's own code then costs more).  Returns that largest cost, N. */
static int64_t bound_check_interval(Fold *fd, size_t ndef, const int64_t *leaf_cost)
{
    fd->bound = true;
    fold_all(fd, ndef, INT64_MAX, leaf_cost);
    int64_t worst;
    for (size_t i = 0; i < ndef; i++)
        if (!fd->leaf[i])
            while (costs(fd, (unsigned)i, &worst), worst > FUEL_CHECK_INTERVAL_MAX && give_check(fd, (unsigned)i, false))
                ;
    fd->bound = false;
    fold_all(fd, ndef, INT64_MAX, leaf_cost); /* the costs with the checks added */
    int64_t n = 0;
    const char *where = NULL;
    for (size_t i = 0; i < ndef; i++)
        if (!fd->leaf[i] && (costs(fd, (unsigned)i, &worst), worst > n)) {
            n = worst;
            where = BinaryenFunctionGetName(fd->defined[i]);
        }
    if (getenv("AIRLOCK_PATCH_DEBUG") && where)
        note("fuel: the most charged between two checks, %lld, starts in %s", (long long)n, where);
    return n;
}

/* ---- functions that never touch the counter ---- */

/* quiet[i] (Meter.quiet) among the functions their callers pay for (the
 * leaves and folded entries), to a fixed point: mt->quiet is quiet. */
static void find_quiet(const Meter *mt, BinaryenFunctionRef *defined, size_t ndef, bool *quiet)
{
    bool changed = true;
    while (changed) {
        changed = false;
        for (size_t i = 0; i < ndef; i++) {
            if (quiet[i] || mt->paid[i] < 0)
                continue;
            CounterScan cs = {mt, false, false};
            scan_counter_use(BinaryenFunctionGetBody(defined[i]), &cs);
            if (!cs.loop && !cs.noisy)
                quiet[i] = changed = true;
        }
    }
}

/* ---- entry point ---- */

static void meter_free(Meter *mt)
{
    for (size_t i = 0; i < mt->cap_labels; i++)
        st_free(&mt->labels[i].in);
    for (size_t i = 0; i < mt->cap_regions; i++)
        st_free(&mt->regions[i]);
    free(mt->labels);
    free(mt->regions);
    free(mt->origins);
    free(mt->targets);
    free(mt->added);
}

/* Meters function i: the charges inside it (analyse), then its entry. */
static void meter_function(Meter *mt, BinaryenFunctionRef f, size_t i, const bool *check)
{
    FuelStats *st = mt->st;
    CounterScan cs = {mt, false, false};
    scan_counter_use(BinaryenFunctionGetBody(f), &cs);
    mt->fn = f;
    mt->rewrite = true;
    mt->nadded = 0;
    mt->counter = -1;
    if (FUEL_LOCAL_COUNTER && cs.loop && !cs.noisy) {
        mt->first_added = BinaryenTypeArity(BinaryenFunctionGetParams(f)) + BinaryenFunctionGetNumVars(f);
        mt->counter = (int)add_var(mt, BinaryenTypeInt64());
        st->funcs_local_counter++;
    }
    int64_t cost = analyse(mt);
    if (getenv("AIRLOCK_PATCH_DEBUG") && cost > 300)
        note("fuel: entry of %s costs %lld", BinaryenFunctionGetName(f), (long long)cost);
    BinaryenExpressionRef body = BinaryenFunctionGetBody(f);
    if (mt->counter >= 0)
        body = store_on_exits(body, mt);
    if (mt->paid[i] >= 0) {
        st->entry_folded++;
    } else if (check[i]) {
        body = prepend_check(mt, cost, body);
        st->entry_checks++;
    } else {
        body = prepend_charge(mt, cost, body);
        st->entry_charges++;
    }
    if (mt->counter >= 0) {
        BinaryenExpressionRef kids[2] = {load_counter(mt), body};
        body = then_store(mt, BinaryenBlock(mt->m, NULL, kids, 2, BinaryenTypeAuto()));
    }
    BinaryenFunctionSetBody(f, body);
    st->funcs_metered++;
}

/* Meters every function but the tiny leaves. */
static void meter_functions(Meter *mt, BinaryenFunctionRef *defined, size_t ndef, const bool *leaf,
                            const bool *check)
{
    AddedVars *added = calloc(ndef + 1, sizeof *added);
    if (!added)
        die("out of memory");
    bool remake = false;
    for (size_t i = 0; i < ndef; i++) {
        if (leaf[i])
            continue;
        meter_function(mt, defined[i], i, check);
        if (mt->nadded) {
            added[i].types = malloc(mt->nadded * sizeof *added[i].types);
            if (!added[i].types)
                die("out of memory");
            memcpy(added[i].types, mt->added, mt->nadded * sizeof *mt->added);
            added[i].n = mt->nadded;
            remake = true;
        }
    }
    mt->counter = -1;
    if (remake)
        remake_functions(mt->m, defined, ndef, added);
    for (size_t i = 0; i < ndef; i++)
        free(added[i].types);
    free(added);
}

void fuel_add(BinaryenModuleRef m, bool meter, FuelStats *st)
{
    memset(st, 0, sizeof *st);
    if (BinaryenGetGlobal(m, FUEL_GLOBAL) || BinaryenGetFunction(m, FUEL_IMPORT_INTERNAL) ||
        BinaryenGetExport(m, FUEL_EXPORT))
        die("fuel: the module already has %s (patched twice?)", FUEL_GLOBAL);

    /* Collect the defined functions before adding any. */
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

    FuncIndex fx = {calloc(ndef + 1, sizeof *fx.names), ndef};
    int64_t *paid = malloc((ndef + 1) * sizeof *paid);
    bool *leaf = calloc(ndef + 1, sizeof *leaf);
    unsigned char *state = calloc(ndef + 1, 1);
    if (!fx.names || !paid || !leaf || !state)
        die("out of memory");
    for (size_t i = 0; i < ndef; i++) {
        fx.names[i] = (NameIdx){BinaryenFunctionGetName(defined[i]), (unsigned)i};
        paid[i] = -1;
    }
    qsort(fx.names, ndef, sizeof *fx.names, nameidx_cmp);

    CallGraph g;
    cg_build(&g, m, &fx, defined, ndef);
    bool *quiet = calloc(ndef + 1, sizeof *quiet);
    if (!quiet)
        die("out of memory");
    Meter mt = {.m = m, .st = st, .fx = &fx, .paid = paid, .quiet = quiet, .counter = -1};
    st->funcs_leaf = find_leaves(&mt, defined, ndef, paid);
    for (size_t i = 0; i < ndef; i++)
        leaf[i] = paid[i] >= 0;
    int64_t *leaf_cost = malloc((ndef + 1) * sizeof *leaf_cost);
    if (!leaf_cost)
        die("out of memory");
    memcpy(leaf_cost, paid, ndef * sizeof *paid);
    Fold fd = {.mt = &mt, .g = &g, .defined = defined, .leaf = leaf, .paid = paid, .state = state};
    st->check_interval = bound_check_interval(&fd, ndef, leaf_cost);
    st->entry_checks_added = fd.checks_added;
    fold_all(&fd, ndef, FUEL_FOLD_MAX, leaf_cost);
    free(leaf_cost);
    find_quiet(&mt, defined, ndef, quiet);
    add_charge_bytes(&mt);
    meter_functions(&mt, defined, ndef, leaf, g.check);
    meter_free(&mt);
    cg_free(&g, ndef);
    free(state);
    free(quiet);
    free(leaf);
    free(paid);
    free(fx.names);
    free(defined);
}
