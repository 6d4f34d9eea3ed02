/*
 * setjmp/longjmp without a host round trip per call.
 *
 * Emscripten compiles a function that calls setjmp (MicroPython's nlr_push)
 * so that each call it makes goes through an import invoke_<sig>(index,
 * args...): the JavaScript host calls table entry `index` inside a catch,
 * and a longjmp (the import _emscripten_throw_longjmp) unwinds to the
 * innermost such catch, where the guest's own code (__THREW__ and
 * __wasm_setjmp_test) finds the setjmp it meant.  In C each invoke costs a
 * host call and a setjmp: about 47 instructions, 7.5 times per Python call.
 *
 * This pass unwinds by returning instead.  A new i32 global, the unwinding
 * flag, is set where the guest called _emscripten_throw_longjmp; after
 * every call that may longjmp, the caller tests the flag and, if it is set,
 * returns at once (a zero of its result type).  Each invoke import becomes
 * a guest function that calls the entry with call_indirect (which traps on
 * a bad index or signature, as the host's check did) and, if the flag is set
 * on return, clears it, restores the shadow stack pointer it saved and calls
 * setThrew(1, 0), exactly what the host's catch did; then the guest's
 * Emscripten code resumes at its setjmp as before.  A call may longjmp if
 * it is a call_indirect, or a direct call to a function that contains one,
 * the longjmp, or a call to such a function (a fixed point).  Exported
 * functions that may longjmp are exported through a wrapper: a longjmp that
 * reaches the host found no setjmp, and the wrapper then calls the import
 * _emscripten_throw_longjmp, which now only traps.  The invoke imports are
 * removed.
 *
 * Per call that may longjmp the cost is a load and a branch; the catch is a
 * direct call that the C compiler can inline.  A module without the
 * longjmp import (the tests' hand-written modules) is left alone.
 *
 * Emscripten brackets every invoke with `__THREW__ = 0; invoke; t =
 * __THREW__; __THREW__ = 0` and then tests t.  __THREW__ is nonzero only
 * from a longjmp's setThrew to the catch whose site reads and clears it:
 * checked below, every other store to it stores 0 and setThrew is called
 * only right before the longjmp import (and by the catches).  So t is 0
 * whenever the invoke returns normally, and a site whose entry is known
 * becomes `t = 0; call` with `t = __THREW__; __THREW__ = 0` moved into its
 * catch: three memory accesses fewer per call that does not longjmp.  An
 * export's wrapper clears __THREW__ before the trap, so a longjmp that found
 * no setjmp leaves it 0 for the next guest call.
 */
#include "patch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNWIND_GLOBAL "airlock$unwinding"
#define THROW_GUEST "airlock$longjmp"
#define THROW_BASE "_emscripten_throw_longjmp"
#define INVOKE_PREFIX "invoke_"

typedef struct {
    const char *name;
    const char **callees; /* direct callees, with repeats */
    size_t ncallees, cap;
    bool call_indirect, throws, unwinds, invokes;
} FnInfo;

/* An invoke site whose __THREW__ read and clear move into its catch. */
typedef struct {
    BinaryenExpressionRef call, read, clear;
} ThrewSite;

typedef struct {
    BinaryenModuleRef m;
    FnInfo *fns;
    BinaryenIndex *by_name; /* indices of fns sorted by name */
    BinaryenIndex nfns;
    const char *throw_import;
    const char **invokes; /* invoke import names, and the helper for each */
    char **helpers;
    size_t ninvokes;
    const char *table, *sp_global, *set_threw;
    bool table_fixed;     /* no table.set / table.grow: entries are known */
    FnInfo *cur;          /* function being scanned or rewritten */
    BinaryenType cur_results;
    BinaryenIndex sp_local; /* the current function's saved stack pointer */
    int64_t threw;          /* __THREW__'s address, -1: sites keep their accesses */
    ThrewSite *sites;       /* the current function's folded sites */
    size_t nsites, sites_cap;
    unsigned labels, checks, direct, indirect, threw_folded;
} Sjlj;

static Sjlj *sort_ctx;
static int by_name_cmp(const void *a, const void *b)
{
    return strcmp(sort_ctx->fns[*(const BinaryenIndex *)a].name, sort_ctx->fns[*(const BinaryenIndex *)b].name);
}

static FnInfo *lookup(Sjlj *s, const char *name)
{
    size_t lo = 0, hi = s->nfns;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->fns[s->by_name[mid]].name, name);
        if (c == 0)
            return &s->fns[s->by_name[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static const char *helper_for(const Sjlj *s, const char *target)
{
    for (size_t i = 0; i < s->ninvokes; i++)
        if (strcmp(s->invokes[i], target) == 0)
            return s->helpers[i];
    return NULL;
}

static void add_callee(FnInfo *f, const char *name)
{
    if (f->ncallees == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 8;
        f->callees = realloc(f->callees, f->cap * sizeof *f->callees);
        if (!f->callees)
            die("out of memory");
    }
    f->callees[f->ncallees++] = name;
}

/* Scan one function's calls, sending longjmp calls to the guest's own. */
static void scan_call(BinaryenExpressionRef e, void *ctx)
{
    Sjlj *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenTableSetId() || id == BinaryenTableGrowId())
        s->table_fixed = false;
    if (id == BinaryenCallIndirectId()) {
        s->cur->call_indirect = true;
        return;
    }
    if (id != BinaryenCallId())
        return;
    const char *target = BinaryenCallGetTarget(e);
    if (helper_for(s, target)) {
        s->cur->invokes = true; /* it catches: not a callee that unwinds */
    } else if (strcmp(target, s->throw_import) == 0) {
        BinaryenCallSetTarget(e, THROW_GUEST);
        s->cur->throws = true;
    } else {
        add_callee(s->cur, target);
    }
}

static void compute_unwinds(Sjlj *s)
{
    for (BinaryenIndex i = 0; i < s->nfns; i++)
        s->fns[i].unwinds = s->fns[i].throws || s->fns[i].call_indirect;
    bool changed = true;
    while (changed) {
        changed = false;
        for (BinaryenIndex i = 0; i < s->nfns; i++) {
            FnInfo *f = &s->fns[i];
            for (size_t k = 0; k < f->ncallees && !f->unwinds; k++) {
                const FnInfo *g = lookup(s, f->callees[k]);
                if (g && g->unwinds)
                    f->unwinds = changed = true;
            }
        }
    }
}

static BinaryenExpressionRef zero_of(BinaryenModuleRef m, BinaryenType t)
{
    if (t == BinaryenTypeInt32())
        return BinaryenConst(m, BinaryenLiteralInt32(0));
    if (t == BinaryenTypeInt64())
        return BinaryenConst(m, BinaryenLiteralInt64(0));
    if (t == BinaryenTypeFloat32())
        return BinaryenConst(m, BinaryenLiteralFloat32(0));
    if (t == BinaryenTypeFloat64())
        return BinaryenConst(m, BinaryenLiteralFloat64(0));
    die("a function that may longjmp returns a type this pass cannot make a zero of");
}

static BinaryenExpressionRef flag(BinaryenModuleRef m)
{
    return BinaryenGlobalGet(m, UNWIND_GLOBAL, BinaryenTypeInt32());
}

static BinaryenExpressionRef return_zero(const Sjlj *s)
{
    return BinaryenReturn(s->m, s->cur_results == BinaryenTypeNone() ? NULL : zero_of(s->m, s->cur_results));
}

static bool may_unwind(Sjlj *s, BinaryenExpressionRef e)
{
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenCallIndirectId())
        return true;
    if (id != BinaryenCallId())
        return false;
    const char *target = BinaryenCallGetTarget(e);
    if (strcmp(target, THROW_GUEST) == 0)
        return true;
    const FnInfo *g = lookup(s, target);
    return g && g->unwinds;
}

/*
 * `call` becomes, without a new local:
 *     block $l (result T)  drop(br_if $l (call) (!flag))  return 0  end
 * or, for a call with no result,
 *     block  call  if (flag) return  end
 */
static BinaryenExpressionRef checked(Sjlj *s, BinaryenExpressionRef call)
{
    BinaryenModuleRef m = s->m;
    BinaryenType t = BinaryenExpressionGetType(call);
    s->checks++;
    if (t == BinaryenTypeNone()) {
        BinaryenExpressionRef kids[2] = {call, BinaryenIf(m, flag(m), return_zero(s), NULL)};
        return BinaryenBlock(m, NULL, kids, 2, BinaryenTypeNone());
    }
    char label[32];
    snprintf(label, sizeof label, "airlock$unw%u", s->labels++);
    BinaryenExpressionRef go_on = BinaryenBreak(m, label, BinaryenUnary(m, BinaryenEqZInt32(), flag(m)), call);
    BinaryenExpressionRef kids[2] = {BinaryenDrop(m, go_on), return_zero(s)};
    return BinaryenBlock(m, label, kids, 2, t);
}

typedef struct {
    const char *global;
    bool *found;
} SetsGlobal;

static bool sets_global(BinaryenExpressionRef e, const char *global);
static void sets_global_child(BinaryenExpressionRef e, void *ctx)
{
    SetsGlobal *g = ctx;
    if (!*g->found && sets_global(e, g->global))
        *g->found = true;
}

/* The function at table index `k`, if the table cannot change and that
 * entry exists; NULL otherwise. */
static BinaryenFunctionRef table_entry(const Sjlj *s, int32_t k)
{
    if (!s->table_fixed || k < 0)
        return NULL;
    for (BinaryenIndex i = 0; i < BinaryenGetNumElementSegments(s->m); i++) {
        BinaryenElementSegmentRef seg = BinaryenGetElementSegmentByIndex(s->m, i);
        int32_t off;
        if (BinaryenElementSegmentIsPassive(seg) ||
            strcmp(BinaryenElementSegmentGetTable(seg), s->table) != 0 ||
            !expr_is_const_i32(BinaryenElementSegmentGetOffset(seg), &off))
            return NULL; /* a layout this pass does not reason about */
        if (k >= off && (uint32_t)(k - off) < BinaryenElementSegmentGetLength(seg))
            return BinaryenGetFunction(s->m, BinaryenElementSegmentGetData(seg, (BinaryenIndex)(k - off)));
    }
    return NULL;
}

static bool sets_global(BinaryenExpressionRef e, const char *global)
{
    if (BinaryenExpressionGetId(e) == BinaryenGlobalSetId() && strcmp(BinaryenGlobalSetGetName(e), global) == 0)
        return true;
    bool found = false;
    for_each_child(e, sets_global_child, &(SetsGlobal){global, &found});
    return found;
}

/* What the host's catch did: flag = 0; stack pointer = saved; setThrew(1, 0);
 * then a folded site's read and clear of __THREW__ (NULL: none). */
static BinaryenExpressionRef catch_body(const Sjlj *s, BinaryenIndex saved_sp, const ThrewSite *site,
                                        BinaryenExpressionRef last)
{
    BinaryenModuleRef m = s->m;
    BinaryenExpressionRef threw[2] = {BinaryenConst(m, BinaryenLiteralInt32(1)),
                                      BinaryenConst(m, BinaryenLiteralInt32(0))};
    BinaryenExpressionRef kids[6] = {
        BinaryenGlobalSet(m, UNWIND_GLOBAL, BinaryenConst(m, BinaryenLiteralInt32(0))),
        BinaryenGlobalSet(m, s->sp_global, BinaryenLocalGet(m, saved_sp, BinaryenTypeInt32())),
        BinaryenCall(m, s->set_threw, threw, 2, BinaryenTypeNone()),
    };
    BinaryenIndex n = 3;
    if (site) {
        kids[n++] = site->read;
        kids[n++] = site->clear;
    }
    if (last)
        kids[n++] = last;
    return BinaryenBlock(m, NULL, kids, n, last ? BinaryenExpressionGetType(last) : BinaryenTypeNone());
}

/* The table entry an invoke_<sig>(k, args...) with a constant k calls, if it
 * has the invoke's signature (else the call would trap: the helper keeps
 * that) and no argument moves the stack pointer; NULL otherwise. */
static BinaryenFunctionRef direct_target(const Sjlj *s, BinaryenExpressionRef call)
{
    BinaryenIndex n = BinaryenCallGetNumOperands(call);
    int32_t k;
    if (n == 0 || !expr_is_const_i32(BinaryenCallGetOperandAt(call, 0), &k))
        return NULL;
    BinaryenFunctionRef g = table_entry(s, k);
    BinaryenFunctionRef imp = BinaryenGetFunction(s->m, BinaryenCallGetTarget(call));
    if (!g || BinaryenFunctionGetResults(g) != BinaryenFunctionGetResults(imp) ||
        BinaryenTypeArity(BinaryenFunctionGetParams(g)) != n - 1)
        return NULL;
    BinaryenType want[16], have[16];
    BinaryenTypeExpand(BinaryenFunctionGetParams(imp), want);
    BinaryenTypeExpand(BinaryenFunctionGetParams(g), have);
    for (BinaryenIndex i = 1; i < n; i++)
        if (want[i] != have[i - 1] || sets_global(BinaryenCallGetOperandAt(call, i), s->sp_global))
            return NULL;
    return g;
}

static const ThrewSite *folded_site(const Sjlj *s, BinaryenExpressionRef call)
{
    for (size_t i = 0; i < s->nsites; i++)
        if (s->sites[i].call == call)
            return &s->sites[i];
    return NULL;
}

/*
 * invoke_<sig>(k, args...) whose entry g is known (direct_target):
 *     sp' = stack pointer
 *     block $l (result R)  drop(br_if $l (call g args) (!flag))  <catch>; 0  end
 */
static BinaryenExpressionRef direct_invoke(Sjlj *s, BinaryenExpressionRef call)
{
    BinaryenModuleRef m = s->m;
    BinaryenFunctionRef g = direct_target(s, call);
    const ThrewSite *site = folded_site(s, call);
    if (!g && site)
        die("setjmp/longjmp: a site whose __THREW__ accesses moved has no direct entry any more");
    if (!g)
        return NULL;
    BinaryenIndex n = BinaryenCallGetNumOperands(call);
    BinaryenExpressionRef args[16];
    for (BinaryenIndex i = 1; i < n; i++)
        args[i - 1] = BinaryenCallGetOperandAt(call, i);
    BinaryenType r = BinaryenFunctionGetResults(g);
    BinaryenExpressionRef to_g = BinaryenCall(m, BinaryenFunctionGetName(g), args, n - 1, r);
    BinaryenExpressionRef save = BinaryenLocalSet(m, s->sp_local, BinaryenGlobalGet(m, s->sp_global, BinaryenTypeInt32()));
    s->direct++;
    if (r == BinaryenTypeNone()) {
        BinaryenExpressionRef kids[3] = {save, to_g,
                                         BinaryenIf(m, flag(m), catch_body(s, s->sp_local, site, NULL), NULL)};
        return BinaryenBlock(m, NULL, kids, 3, BinaryenTypeNone());
    }
    char label[32];
    snprintf(label, sizeof label, "airlock$inv%u", s->labels++);
    BinaryenExpressionRef go_on = BinaryenBreak(m, label, BinaryenUnary(m, BinaryenEqZInt32(), flag(m)), to_g);
    BinaryenExpressionRef kids[3] = {save, BinaryenDrop(m, go_on), catch_body(s, s->sp_local, site, zero_of(m, r))};
    return BinaryenBlock(m, label, kids, 3, r);
}

/* ---- __THREW__ at the invoke sites (see the top of this file) ---- */

/* The address a load or store with this pointer and offset reaches if the
 * pointer is a constant; -1 otherwise. */
static int64_t const_address(BinaryenExpressionRef ptr, uint32_t offset)
{
    int32_t c;
    return expr_is_const_i32(ptr, &c) ? (int64_t)(uint32_t)c + offset : -1;
}

static bool is_call_to(BinaryenExpressionRef e, const char *target)
{
    return BinaryenExpressionGetId(e) == BinaryenCallId() && strcmp(BinaryenCallGetTarget(e), target) == 0;
}

/* `__THREW__ = 0` */
static bool clears_threw(const Sjlj *s, BinaryenExpressionRef e)
{
    int32_t v;
    return BinaryenExpressionGetId(e) == BinaryenStoreId() && BinaryenStoreGetBytes(e) == 4 &&
           !BinaryenStoreIsAtomic(e) &&
           const_address(BinaryenStoreGetPtr(e), BinaryenStoreGetOffset(e)) == s->threw &&
           expr_is_const_i32(BinaryenStoreGetValue(e), &v) && v == 0;
}

/* `local t = __THREW__` */
static bool reads_threw(const Sjlj *s, BinaryenExpressionRef e, BinaryenIndex *t)
{
    if (BinaryenExpressionGetId(e) != BinaryenLocalSetId() || BinaryenLocalSetIsTee(e))
        return false;
    BinaryenExpressionRef v = BinaryenLocalSetGetValue(e);
    *t = BinaryenLocalSetGetIndex(e);
    return BinaryenExpressionGetId(v) == BinaryenLoadId() && BinaryenLoadGetBytes(v) == 4 &&
           !BinaryenLoadIsAtomic(v) && BinaryenExpressionGetType(v) == BinaryenTypeInt32() &&
           const_address(BinaryenLoadGetPtr(v), BinaryenLoadGetOffset(v)) == s->threw;
}

/* The invoke call of a statement `invoke`, `drop(invoke)` or `local = invoke`. */
static BinaryenExpressionRef invoke_of(const Sjlj *s, BinaryenExpressionRef e)
{
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenDropId())
        e = BinaryenDropGetValue(e);
    else if (id == BinaryenLocalSetId() && !BinaryenLocalSetIsTee(e))
        e = BinaryenLocalSetGetValue(e);
    return BinaryenExpressionGetId(e) == BinaryenCallId() && helper_for(s, BinaryenCallGetTarget(e)) ? e : NULL;
}

typedef struct {
    BinaryenIndex local;
    bool found;
} LocalUse;

static void find_local(BinaryenExpressionRef e, void *ctx)
{
    LocalUse *u = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if ((id == BinaryenLocalGetId() && BinaryenLocalGetGetIndex(e) == u->local) ||
        (id == BinaryenLocalSetId() && BinaryenLocalSetGetIndex(e) == u->local))
        u->found = true;
}

static bool uses_local(BinaryenExpressionRef e, BinaryenIndex local)
{
    LocalUse u = {local, false};
    walk(e, find_local, &u);
    return u.found;
}

typedef struct {
    const Sjlj *s;
    bool found;
} InvokeUse;

static void find_invoke(BinaryenExpressionRef e, void *ctx)
{
    InvokeUse *u = ctx;
    if (BinaryenExpressionGetId(e) == BinaryenCallId() && helper_for(u->s, BinaryenCallGetTarget(e)))
        u->found = true;
}

/* Does an argument of `call` make an invoke? Its catch would move the stack
 * pointer, and direct_target would refuse the call once it is rewritten. */
static bool invokes_in_args(const Sjlj *s, BinaryenExpressionRef call)
{
    InvokeUse u = {s, false};
    for (BinaryenIndex i = 0; i < BinaryenCallGetNumOperands(call); i++)
        walk(BinaryenCallGetOperandAt(call, i), find_invoke, &u);
    return u.found;
}

/* `local = constant` */
static bool sets_constant(BinaryenExpressionRef e)
{
    return BinaryenExpressionGetId(e) == BinaryenLocalSetId() && !BinaryenLocalSetIsTee(e) &&
           BinaryenExpressionGetId(BinaryenLocalSetGetValue(e)) == BinaryenConstId();
}

/*
 * In a block, each `__THREW__ = 0; [local = constant...]; S; t = __THREW__;
 * __THREW__ = 0` where S is an invoke whose entry is known and t is not
 * touched before the read becomes `t = 0; [local = constant...]; S` (the
 * read and the clear wait in s->sites for S's catch).
 */
static void fold_threw_sites(Sjlj *s, BinaryenExpressionRef block)
{
    BinaryenModuleRef m = s->m;
    BinaryenIndex n = BinaryenBlockGetNumChildren(block), t;
    for (BinaryenIndex i = 0; i + 3 < n; i++) {
        if (!clears_threw(s, BinaryenBlockGetChildAt(block, i)))
            continue;
        BinaryenIndex j = i + 1;
        while (j < n && sets_constant(BinaryenBlockGetChildAt(block, j)))
            j++;
        if (j + 2 >= n)
            continue;
        BinaryenExpressionRef site = BinaryenBlockGetChildAt(block, j);
        BinaryenExpressionRef read = BinaryenBlockGetChildAt(block, j + 1);
        BinaryenExpressionRef clear = BinaryenBlockGetChildAt(block, j + 2);
        BinaryenExpressionRef call = invoke_of(s, site);
        if (!call || !direct_target(s, call) || invokes_in_args(s, call) || !reads_threw(s, read, &t) ||
            !clears_threw(s, clear))
            continue;
        bool touched = false;
        for (BinaryenIndex k = i + 1; k <= j; k++)
            touched |= uses_local(BinaryenBlockGetChildAt(block, k), t);
        if (touched)
            continue;
        if (s->nsites == s->sites_cap) {
            s->sites_cap = s->sites_cap ? 2 * s->sites_cap : 16;
            s->sites = realloc(s->sites, s->sites_cap * sizeof *s->sites);
            if (!s->sites)
                die("out of memory");
        }
        s->sites[s->nsites++] = (ThrewSite){call, read, clear};
        BinaryenBlockSetChildAt(block, i, BinaryenLocalSet(m, t, BinaryenConst(m, BinaryenLiteralInt32(0))));
        BinaryenBlockSetChildAt(block, j + 1, BinaryenNop(m));
        BinaryenBlockSetChildAt(block, j + 2, BinaryenNop(m));
        s->threw_folded++;
        i = j + 2;
    }
}

/* setThrew's `__THREW__ = threw` store: its address, or -1. */
typedef struct {
    int64_t addr;
    unsigned stores;
} ThrewStore;

static void find_threw_store(BinaryenExpressionRef e, void *ctx)
{
    ThrewStore *ts = ctx;
    BinaryenIndex idx;
    if (BinaryenExpressionGetId(e) == BinaryenStoreId() && BinaryenStoreGetBytes(e) == 4 &&
        expr_is_local_get(BinaryenStoreGetValue(e), &idx) && idx == 0) {
        ts->addr = const_address(BinaryenStoreGetPtr(e), BinaryenStoreGetOffset(e));
        ts->stores++;
    }
}

typedef struct {
    const Sjlj *s;
    unsigned set_threw_calls, before_longjmp;
    bool other_store;
} ThrewUse;

/* Every store that may reach __THREW__ stores 0 at exactly its address;
 * count calls to setThrew, and those a block makes just before the longjmp. */
static void check_threw_use(BinaryenExpressionRef e, void *ctx)
{
    ThrewUse *u = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenStoreId()) {
        int64_t a = const_address(BinaryenStoreGetPtr(e), BinaryenStoreGetOffset(e));
        if (a >= 0 && a < u->s->threw + 4 && a + BinaryenStoreGetBytes(e) > u->s->threw && !clears_threw(u->s, e))
            u->other_store = true;
    } else if (is_call_to(e, u->s->set_threw)) {
        u->set_threw_calls++;
    } else if (id == BinaryenBlockId()) {
        BinaryenIndex n = BinaryenBlockGetNumChildren(e);
        for (BinaryenIndex i = 0; i + 1 < n; i++)
            if (is_call_to(BinaryenBlockGetChildAt(e, i), u->s->set_threw) &&
                is_call_to(BinaryenBlockGetChildAt(e, i + 1), u->s->throw_import))
                u->before_longjmp++;
    }
}

/* Sets s->threw to __THREW__'s address if the sites may fold it (see the
 * top), else to -1. */
static void find_threw(Sjlj *s)
{
    BinaryenModuleRef m = s->m;
    ThrewStore ts = {-1, 0};
    s->threw = -1;
    walk(BinaryenFunctionGetBody(BinaryenGetFunction(m, s->set_threw)), find_threw_store, &ts);
    if (ts.stores != 1 || ts.addr < 0) {
        note("setjmp/longjmp: setThrew's store of __THREW__ not found: the invoke sites keep theirs");
        return;
    }
    s->threw = ts.addr;
    ThrewUse u = {s, 0, 0, false};
    for (BinaryenIndex i = 0; i < BinaryenGetNumFunctions(m); i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (func_is_defined(f) && strcmp(BinaryenFunctionGetName(f), s->set_threw) != 0)
            walk(BinaryenFunctionGetBody(f), check_threw_use, &u);
    }
    if (u.other_store || u.before_longjmp != u.set_threw_calls) {
        note("setjmp/longjmp: __THREW__ (%lld) is written other than by setThrew before a longjmp and by "
             "stores of 0: the invoke sites keep their accesses", (long long)s->threw);
        s->threw = -1;
    }
}

static BinaryenExpressionRef rewrite(BinaryenExpressionRef e, void *ctx)
{
    Sjlj *s = ctx;
    if (s->threw >= 0 && BinaryenExpressionGetId(e) == BinaryenBlockId())
        fold_threw_sites(s, e);
    map_children(e, rewrite, s);
    if (BinaryenExpressionGetId(e) == BinaryenCallId()) {
        const char *helper = helper_for(s, BinaryenCallGetTarget(e));
        if (helper) {
            BinaryenExpressionRef d = direct_invoke(s, e);
            if (d)
                return d;
            BinaryenCallSetTarget(e, helper);
            s->indirect++;
            return e;
        }
    }
    return may_unwind(s, e) ? checked(s, e) : e;
}

/* Rewrites f's body; a function with invoke sites is made again with one
 * more local, the stack pointer its catches restore. */
static void rewrite_function(Sjlj *s, BinaryenFunctionRef f, FnInfo *info)
{
    BinaryenModuleRef m = s->m;
    BinaryenType params = BinaryenFunctionGetParams(f), results = BinaryenFunctionGetResults(f);
    BinaryenIndex nvars = BinaryenFunctionGetNumVars(f);
    s->cur = info;
    s->cur_results = results;
    s->sp_local = BinaryenTypeArity(params) + nvars;
    s->nsites = 0;
    BinaryenExpressionRef body = rewrite(BinaryenFunctionGetBody(f), s);
    if (!info->invokes) {
        BinaryenFunctionSetBody(f, body);
        return;
    }
    BinaryenType *vars = malloc((nvars + 1) * sizeof *vars);
    if (!vars)
        die("out of memory");
    for (BinaryenIndex i = 0; i < nvars; i++)
        vars[i] = BinaryenFunctionGetVar(f, i);
    vars[nvars] = BinaryenTypeInt32();
    const char *name = info->name;
    BinaryenRemoveFunction(m, name);
    BinaryenAddFunction(m, name, params, results, vars, nvars + 1, body);
    free(vars);
}

static BinaryenExpressionRef local(BinaryenModuleRef m, BinaryenIndex i, BinaryenType t)
{
    return BinaryenLocalGet(m, i, t);
}

/* Parameters 0..n-1 of a function of type `params`, as local.gets from `first`. */
static BinaryenIndex forward_params(BinaryenModuleRef m, BinaryenType params, BinaryenIndex first,
                                    BinaryenExpressionRef *out)
{
    BinaryenIndex n = BinaryenTypeArity(params);
    BinaryenType ts[16];
    if (n > 16)
        die("a function with more than 16 parameters");
    BinaryenTypeExpand(params, ts);
    for (BinaryenIndex i = first; i < n; i++)
        out[i - first] = local(m, i, ts[i]);
    return n - first;
}

/*
 * The catch for an invoke whose entry is not known when the module is
 * built, invoke_<sig>(index, args...) -> R:
 *     sp = stack pointer
 *     r = call_indirect (type args -> R) args index
 *     if (flag) { <catch>; return 0 }
 *     return r
 */
static void add_invoke_helper(const Sjlj *s, BinaryenFunctionRef imp, const char *name)
{
    BinaryenModuleRef m = s->m;
    BinaryenType params = BinaryenFunctionGetParams(imp), results = BinaryenFunctionGetResults(imp);
    BinaryenType ts[16];
    BinaryenIndex n = BinaryenTypeArity(params);
    if (n == 0 || n > 16)
        die("%s: not an invoke signature", BinaryenFunctionImportGetBase(imp));
    BinaryenTypeExpand(params, ts);
    BinaryenExpressionRef args[16];
    BinaryenIndex nargs = forward_params(m, params, 1, args);
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenIndex sp = n, r = n + 1;
    BinaryenType vars[2] = {i32, results};
    BinaryenExpressionRef call = BinaryenCallIndirect(m, s->table, local(m, 0, i32), args, nargs,
                                                      BinaryenTypeCreate(ts + 1, nargs), results);
    bool has_result = results != BinaryenTypeNone();
    BinaryenExpressionRef body[4] = {
        BinaryenLocalSet(m, sp, BinaryenGlobalGet(m, s->sp_global, i32)),
        has_result ? BinaryenLocalSet(m, r, call) : call,
        BinaryenIf(m, flag(m), catch_body(s, sp, NULL, BinaryenReturn(m, has_result ? zero_of(m, results) : NULL)),
                   NULL),
        BinaryenReturn(m, has_result ? local(m, r, results) : NULL),
    };
    BinaryenAddFunction(m, name, params, results, vars, has_result ? 2 : 1,
                        BinaryenBlock(m, NULL, body, 4, BinaryenTypeNone()));
}

/* Export `fn` (which may longjmp) through a wrapper that traps, through the
 * longjmp import, when a longjmp found no setjmp inside the guest; the
 * wrapper first clears the flag and (when the sites fold it) __THREW__. */
static void wrap_export(const Sjlj *s, const char *export_name, BinaryenFunctionRef fn, unsigned serial)
{
    BinaryenModuleRef m = s->m;
    BinaryenType params = BinaryenFunctionGetParams(fn), results = BinaryenFunctionGetResults(fn);
    BinaryenExpressionRef args[16];
    BinaryenIndex nargs = forward_params(m, params, 0, args);
    bool has_result = results != BinaryenTypeNone();
    BinaryenIndex r = nargs;
    BinaryenExpressionRef call = BinaryenCall(m, BinaryenFunctionGetName(fn), args, nargs, results);
    BinaryenExpressionRef escaped[4];
    BinaryenIndex k = 0;
    escaped[k++] = BinaryenGlobalSet(m, UNWIND_GLOBAL, BinaryenConst(m, BinaryenLiteralInt32(0)));
    if (s->threw >= 0)
        escaped[k++] = BinaryenStore(m, 4, 0, 0, BinaryenConst(m, BinaryenLiteralInt32((int32_t)s->threw)),
                                     BinaryenConst(m, BinaryenLiteralInt32(0)), BinaryenTypeInt32());
    escaped[k++] = BinaryenCall(m, s->throw_import, NULL, 0, BinaryenTypeNone());
    escaped[k++] = BinaryenUnreachable(m);
    BinaryenExpressionRef body[3] = {
        has_result ? BinaryenLocalSet(m, r, call) : call,
        BinaryenIf(m, flag(m), BinaryenBlock(m, NULL, escaped, k, BinaryenTypeNone()), NULL),
        BinaryenReturn(m, has_result ? local(m, r, results) : NULL),
    };
    char name[48];
    snprintf(name, sizeof name, "airlock$export%u", serial);
    BinaryenAddFunction(m, name, params, results, &results, has_result ? 1 : 0,
                        BinaryenBlock(m, NULL, body, 3, BinaryenTypeNone()));
    BinaryenRemoveExport(m, export_name);
    BinaryenAddFunctionExport(m, name, export_name);
}

static unsigned wrap_exports(Sjlj *s)
{
    BinaryenIndex n = BinaryenGetNumExports(s->m);
    const char **names = calloc(n ? n : 1, sizeof *names);
    BinaryenFunctionRef *fns = calloc(n ? n : 1, sizeof *fns);
    if (!names || !fns)
        die("out of memory");
    unsigned k = 0;
    for (BinaryenIndex i = 0; i < n; i++) {
        BinaryenExportRef x = BinaryenGetExportByIndex(s->m, i);
        if (BinaryenExportGetKind(x) != BinaryenExternalFunction())
            continue;
        const FnInfo *f = lookup(s, BinaryenExportGetValue(x));
        if (f && f->unwinds) {
            names[k] = BinaryenExportGetName(x);
            fns[k++] = BinaryenGetFunction(s->m, f->name);
        }
    }
    for (unsigned i = 0; i < k; i++)
        wrap_export(s, names[i], fns[i], i);
    free(names);
    free(fns);
    return k;
}

static const char *find_throw_import(BinaryenModuleRef m)
{
    for (BinaryenIndex i = 0; i < BinaryenGetNumFunctions(m); i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (func_is_import(f) && strcmp(BinaryenFunctionImportGetModule(f), "env") == 0 &&
            strcmp(BinaryenFunctionImportGetBase(f), THROW_BASE) == 0)
            return BinaryenFunctionGetName(f);
    }
    return NULL;
}

static void collect_functions(Sjlj *s)
{
    BinaryenModuleRef m = s->m;
    s->nfns = BinaryenGetNumFunctions(m);
    s->fns = calloc(s->nfns, sizeof *s->fns);
    s->by_name = calloc(s->nfns, sizeof *s->by_name);
    s->invokes = calloc(s->nfns, sizeof *s->invokes);
    s->helpers = calloc(s->nfns, sizeof *s->helpers);
    if (!s->fns || !s->by_name || !s->invokes || !s->helpers)
        die("out of memory");
    for (BinaryenIndex i = 0; i < s->nfns; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        s->fns[i].name = BinaryenFunctionGetName(f);
        s->by_name[i] = i;
        if (func_is_import(f) && strcmp(BinaryenFunctionImportGetModule(f), "env") == 0 &&
            strncmp(BinaryenFunctionImportGetBase(f), INVOKE_PREFIX, strlen(INVOKE_PREFIX)) == 0) {
            char name[64];
            snprintf(name, sizeof name, "airlock$%s", BinaryenFunctionImportGetBase(f));
            s->invokes[s->ninvokes] = s->fns[i].name;
            s->helpers[s->ninvokes++] = strdup(name);
        }
    }
    sort_ctx = s;
    qsort(s->by_name, s->nfns, sizeof *s->by_name, by_name_cmp);
}

static void free_sjlj(Sjlj *s)
{
    for (BinaryenIndex i = 0; i < s->nfns; i++)
        free(s->fns[i].callees);
    for (size_t i = 0; i < s->ninvokes; i++)
        free(s->helpers[i]);
    free(s->fns);
    free(s->by_name);
    free(s->invokes);
    free(s->helpers);
    free(s->sites);
}

void sjlj_patch(BinaryenModuleRef m, SjljStats *st)
{
    memset(st, 0, sizeof *st);
    Sjlj s = {.m = m, .throw_import = find_throw_import(m), .table_fixed = true};
    if (!s.throw_import) {
        note("no %s import: setjmp/longjmp left as it is", THROW_BASE);
        return;
    }
    BinaryenExportRef set_threw = BinaryenGetExport(m, "setThrew");
    BinaryenGlobalRef sp = BinaryenGetNumGlobals(m) ? BinaryenGetGlobalByIndex(m, 0) : NULL;
    if (!set_threw || BinaryenExportGetKind(set_threw) != BinaryenExternalFunction())
        die("setjmp/longjmp: no exported setThrew");
    if (!sp || BinaryenGlobalGetType(sp) != BinaryenTypeInt32() || !BinaryenGlobalIsMutable(sp))
        die("setjmp/longjmp: global 0 is not the shadow stack pointer (mutable i32)");
    if (BinaryenGetNumTables(m) != 1)
        die("setjmp/longjmp: expected one function table");
    s.table = BinaryenTableGetName(BinaryenGetTableByIndex(m, 0));
    s.sp_global = BinaryenGlobalGetName(sp);
    s.set_threw = BinaryenExportGetValue(set_threw);

    collect_functions(&s);
    find_threw(&s);
    for (BinaryenIndex i = 0; i < s.nfns; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (func_is_defined(f)) {
            s.cur = &s.fns[i];
            walk(BinaryenFunctionGetBody(f), scan_call, &s);
        }
    }
    compute_unwinds(&s);
    /* By name: rewriting may make a function again, which reorders them. */
    for (BinaryenIndex i = 0; i < s.nfns; i++) {
        BinaryenFunctionRef f = BinaryenGetFunction(m, s.fns[i].name);
        if (func_is_defined(f) && (s.fns[i].unwinds || s.fns[i].invokes)) {
            rewrite_function(&s, f, &s.fns[i]);
            st->funcs_unwinding++;
        }
    }

    BinaryenAddGlobal(m, UNWIND_GLOBAL, BinaryenTypeInt32(), true, BinaryenConst(m, BinaryenLiteralInt32(0)));
    BinaryenAddFunction(m, THROW_GUEST, BinaryenTypeNone(), BinaryenTypeNone(), NULL, 0,
                        BinaryenGlobalSet(m, UNWIND_GLOBAL, BinaryenConst(m, BinaryenLiteralInt32(1))));
    for (size_t i = 0; i < s.ninvokes; i++) {
        add_invoke_helper(&s, BinaryenGetFunction(m, s.invokes[i]), s.helpers[i]);
        BinaryenRemoveFunction(m, s.invokes[i]);
    }
    st->exports_wrapped = wrap_exports(&s);
    st->invoke_direct = s.direct;
    st->invoke_indirect = s.indirect;
    st->checks = s.checks;
    st->threw_folded = s.threw_folded;
    st->invoke_imports = (unsigned)s.ninvokes;
    free_sjlj(&s);
}
