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
    unsigned labels, checks, direct, indirect;
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

/* What the host's catch did: flag = 0; stack pointer = saved; setThrew(1, 0). */
static BinaryenExpressionRef catch_body(const Sjlj *s, BinaryenIndex saved_sp, BinaryenExpressionRef last)
{
    BinaryenModuleRef m = s->m;
    BinaryenExpressionRef threw[2] = {BinaryenConst(m, BinaryenLiteralInt32(1)),
                                      BinaryenConst(m, BinaryenLiteralInt32(0))};
    BinaryenExpressionRef kids[4] = {
        BinaryenGlobalSet(m, UNWIND_GLOBAL, BinaryenConst(m, BinaryenLiteralInt32(0))),
        BinaryenGlobalSet(m, s->sp_global, BinaryenLocalGet(m, saved_sp, BinaryenTypeInt32())),
        BinaryenCall(m, s->set_threw, threw, 2, BinaryenTypeNone()),
        last,
    };
    return BinaryenBlock(m, NULL, kids, last ? 4 : 3, last ? BinaryenExpressionGetType(last) : BinaryenTypeNone());
}

/*
 * invoke_<sig>(k, args...) with a constant k whose table entry g has the
 * invoke's signature (else the call would trap: the helper keeps that):
 *     sp' = stack pointer
 *     block $l (result R)  drop(br_if $l (call g args) (!flag))  <catch>; 0  end
 */
static BinaryenExpressionRef direct_invoke(Sjlj *s, BinaryenExpressionRef call)
{
    BinaryenModuleRef m = s->m;
    BinaryenIndex n = BinaryenCallGetNumOperands(call);
    int32_t k;
    if (n == 0 || !expr_is_const_i32(BinaryenCallGetOperandAt(call, 0), &k))
        return NULL;
    BinaryenFunctionRef g = table_entry(s, k);
    BinaryenFunctionRef imp = BinaryenGetFunction(m, BinaryenCallGetTarget(call));
    if (!g || BinaryenFunctionGetResults(g) != BinaryenFunctionGetResults(imp) ||
        BinaryenTypeArity(BinaryenFunctionGetParams(g)) != n - 1)
        return NULL;
    BinaryenType want[16], have[16];
    BinaryenTypeExpand(BinaryenFunctionGetParams(imp), want);
    BinaryenTypeExpand(BinaryenFunctionGetParams(g), have);
    BinaryenExpressionRef args[16];
    for (BinaryenIndex i = 1; i < n; i++) {
        args[i - 1] = BinaryenCallGetOperandAt(call, i);
        if (want[i] != have[i - 1] || sets_global(args[i - 1], s->sp_global))
            return NULL;
    }
    BinaryenType r = BinaryenFunctionGetResults(g);
    BinaryenExpressionRef to_g = BinaryenCall(m, BinaryenFunctionGetName(g), args, n - 1, r);
    BinaryenExpressionRef save = BinaryenLocalSet(m, s->sp_local, BinaryenGlobalGet(m, s->sp_global, BinaryenTypeInt32()));
    s->direct++;
    if (r == BinaryenTypeNone()) {
        BinaryenExpressionRef kids[3] = {save, to_g, BinaryenIf(m, flag(m), catch_body(s, s->sp_local, NULL), NULL)};
        return BinaryenBlock(m, NULL, kids, 3, BinaryenTypeNone());
    }
    char label[32];
    snprintf(label, sizeof label, "airlock$inv%u", s->labels++);
    BinaryenExpressionRef go_on = BinaryenBreak(m, label, BinaryenUnary(m, BinaryenEqZInt32(), flag(m)), to_g);
    BinaryenExpressionRef kids[3] = {save, BinaryenDrop(m, go_on), catch_body(s, s->sp_local, zero_of(m, r))};
    return BinaryenBlock(m, label, kids, 3, r);
}

static BinaryenExpressionRef rewrite(BinaryenExpressionRef e, void *ctx)
{
    Sjlj *s = ctx;
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
        BinaryenIf(m, flag(m), catch_body(s, sp, BinaryenReturn(m, has_result ? zero_of(m, results) : NULL)), NULL),
        BinaryenReturn(m, has_result ? local(m, r, results) : NULL),
    };
    BinaryenAddFunction(m, name, params, results, vars, has_result ? 2 : 1,
                        BinaryenBlock(m, NULL, body, 4, BinaryenTypeNone()));
}

/* Export `fn` (which may longjmp) through a wrapper that traps, through the
 * longjmp import, when a longjmp found no setjmp inside the guest. */
static void wrap_export(BinaryenModuleRef m, const char *export_name, BinaryenFunctionRef fn,
                        const char *throw_import, unsigned serial)
{
    BinaryenType params = BinaryenFunctionGetParams(fn), results = BinaryenFunctionGetResults(fn);
    BinaryenExpressionRef args[16];
    BinaryenIndex nargs = forward_params(m, params, 0, args);
    bool has_result = results != BinaryenTypeNone();
    BinaryenIndex r = nargs;
    BinaryenExpressionRef call = BinaryenCall(m, BinaryenFunctionGetName(fn), args, nargs, results);
    BinaryenExpressionRef escaped[3] = {
        BinaryenGlobalSet(m, UNWIND_GLOBAL, BinaryenConst(m, BinaryenLiteralInt32(0))),
        BinaryenCall(m, throw_import, NULL, 0, BinaryenTypeNone()),
        BinaryenUnreachable(m),
    };
    BinaryenExpressionRef body[3] = {
        has_result ? BinaryenLocalSet(m, r, call) : call,
        BinaryenIf(m, flag(m), BinaryenBlock(m, NULL, escaped, 3, BinaryenTypeNone()), NULL),
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
        wrap_export(s->m, names[i], fns[i], s->throw_import, i);
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
    st->invoke_imports = (unsigned)s.ninvokes;
    free_sjlj(&s);
}
