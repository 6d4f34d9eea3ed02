/*
 * dict(m), d.update(m) and {**m} for every mapping, as in CPython.
 *
 * MicroPython's dict_update (py/objdict.c) copies an argument whose type is
 * exactly dict or OrderedDict, and iterates anything else as a sequence of
 * (key, value) pairs. CPython instead treats every object with a keys()
 * method as a mapping: for k in m.keys(): d[k] = m[k]. So in the guest every
 * dict subclass (the compatibility layer's defaultdict, Counter, OrderedDict,
 * csv rows) and every user mapping failed with "dict update sequence has
 * wrong length". dict(m) reaches dict_update too (dict_make_new calls it).
 *
 * The pass moves dict_update's body into a new function (the original
 * behaviour) and gives dict_update this body:
 *
 *   if (n_args == 2 && !is_exact_dict(args[1]) && args[1] has keys):
 *       native(1, args, kw)                 # self not fixed; kwargs
 *       for k in args[1].keys():
 *           self[k] = args[1].__getitem__(k)  # value first, then the slot
 *       return native(1, args, kw)          # kwargs win, as in CPython
 *   return native(n_args, args, kw)
 *
 * Everything it calls is found by shape and cross-checked, never by index:
 *  - dict_update: the one function that raises the "wrong length" text;
 *    inside it mp_getiter (the call (x, 0)), mp_iternext (the one-argument
 *    call on a non-constant), mp_map_lookup (the call (map, k, 1)), and the
 *    table index of dict_make_new (the constant its is-dict test compares
 *    the type's make_new slot with; that table entry must call dict_update);
 *  - mp_load_method and mp_call_function_n_kw: the function that expands
 *    **kwargs of a generic mapping (py/runtime.c) loads "keys" and
 *    "__getitem__" with the same call and passes a call's result to
 *    mp_getiter; mp_load_method_maybe is mp_load_method's first call.
 */
#include "patch.h"

#include <stdlib.h>
#include <string.h>

#define NATIVE_NAME "airlock_dict_update_native"
#define WRONG_LENGTH "dict update sequence has wrong length"
#define MP_OBJ_TYPE_SLOT_INDEX_MAKE_NEW 8 /* u8 offset in mp_obj_type_t */
#define MP_OBJ_TYPE_SLOTS 16              /* slots[idx - 1] at 16 + 4 * idx */

typedef struct {
    BinaryenModuleRef m;
    /* found in dict_update */
    const char *getiter, *iternext, *map_lookup;
    int32_t dict_make_new; /* table index */
    bool raises_wrong_length;
    uint32_t wrong_length_addr;
    /* found in the **kwargs expansion */
    uint32_t q_keys, q_getitem;
    const char *load_method, *load_method_maybe, *call_n_kw;
    bool keys_seen, getitem_seen, getiter_of_call;
} Finder;

/* ---- finding ---------------------------------------------------------------- */

static void set_unique(const char **slot, const char *target, const char *what)
{
    if (*slot && strcmp(*slot, target) != 0)
        die("dict mapping: two candidates for %s (%s, %s)", what, *slot, target);
    *slot = target;
}

static void scan_dict_update(BinaryenExpressionRef e, void *ctx)
{
    Finder *fd = ctx;
    int32_t v;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenCallId()) {
        BinaryenIndex n = BinaryenCallGetNumOperands(e);
        const char *t = BinaryenCallGetTarget(e);
        BinaryenExpressionRef last = n ? BinaryenCallGetOperandAt(e, n - 1) : NULL;
        if (n == 2 && expr_is_const_i32(last, &v) && v == 0)
            set_unique(&fd->getiter, t, "mp_getiter");
        else if (n == 1 && !expr_is_const_i32(last, &v))
            set_unique(&fd->iternext, t, "mp_iternext");
        else if (n == 3 && expr_is_const_i32(last, &v) && v == 1)
            set_unique(&fd->map_lookup, t, "mp_map_lookup");
        else if (n == 1 && expr_is_const_i32(last, &v) && (uint32_t)v == fd->wrong_length_addr)
            fd->raises_wrong_length = true;
    } else if (id == BinaryenBinaryId() && BinaryenBinaryGetOp(e) == BinaryenNeInt32() &&
               BinaryenExpressionGetId(BinaryenBinaryGetLeft(e)) == BinaryenLoadId() &&
               expr_is_const_i32(BinaryenBinaryGetRight(e), &v) && v > 0) {
        if (fd->dict_make_new && fd->dict_make_new != v)
            die("dict mapping: two candidates for dict_make_new's table index");
        fd->dict_make_new = v;
    }
    for_each_child(e, scan_dict_update, ctx);
}

typedef struct {
    uint32_t value;
    bool found;
} ConstSearch;

static void find_const(BinaryenExpressionRef e, void *ctx)
{
    ConstSearch *cs = ctx;
    int32_t v;
    if (expr_is_const_i32(e, &v) && (uint32_t)v == cs->value)
        cs->found = true;
    if (!cs->found)
        for_each_child(e, find_const, ctx);
}

static bool contains_const(BinaryenExpressionRef e, uint32_t value)
{
    ConstSearch cs = {value, false};
    find_const(e, &cs);
    return cs.found;
}

/* In one function: the load-method call with "keys" and with "__getitem__"
 * as its constant second operand, and mp_getiter applied to a call's result
 * (mp_call_function_n_kw, four operands). */
static void scan_kwargs_expansion(BinaryenExpressionRef e, void *ctx)
{
    Finder *fd = ctx;
    int32_t v;
    if (BinaryenExpressionGetId(e) == BinaryenCallId()) {
        BinaryenIndex n = BinaryenCallGetNumOperands(e);
        const char *t = BinaryenCallGetTarget(e);
        if (n == 3 && expr_is_const_i32(BinaryenCallGetOperandAt(e, 1), &v)) {
            if ((uint32_t)v == fd->q_keys) {
                set_unique(&fd->load_method, t, "mp_load_method");
                fd->keys_seen = true;
            } else if ((uint32_t)v == fd->q_getitem && fd->load_method &&
                       strcmp(fd->load_method, t) == 0) {
                fd->getitem_seen = true;
            }
        }
        BinaryenExpressionRef a0 = n == 2 ? BinaryenCallGetOperandAt(e, 0) : NULL;
        if (a0 && strcmp(t, fd->getiter) == 0 && BinaryenExpressionGetId(a0) == BinaryenCallId() &&
            BinaryenCallGetNumOperands(a0) == 4) {
            set_unique(&fd->call_n_kw, BinaryenCallGetTarget(a0), "mp_call_function_n_kw");
            fd->getiter_of_call = true;
        }
    }
    for_each_child(e, scan_kwargs_expansion, ctx);
}

static const char *table_entry(BinaryenModuleRef m, int32_t index)
{
    BinaryenIndex nseg = BinaryenGetNumElementSegments(m);
    for (BinaryenIndex s = 0; s < nseg; s++) {
        BinaryenElementSegmentRef seg = BinaryenGetElementSegmentByIndex(m, s);
        int32_t base;
        if (!expr_is_const_i32(BinaryenElementSegmentGetOffset(seg), &base))
            continue;
        BinaryenIndex len = BinaryenElementSegmentGetLength(seg);
        if (index >= base && (uint32_t)(index - base) < len)
            return BinaryenElementSegmentGetData(seg, (BinaryenIndex)(index - base));
    }
    return NULL;
}

typedef struct {
    const char *target;
    bool found;
} CallSearch;

static void find_call(BinaryenExpressionRef e, void *ctx)
{
    CallSearch *cs = ctx;
    if (BinaryenExpressionGetId(e) == BinaryenCallId() && strcmp(BinaryenCallGetTarget(e), cs->target) == 0)
        cs->found = true;
    if (!cs->found)
        for_each_child(e, find_call, ctx);
}

static bool calls(BinaryenFunctionRef f, const char *target)
{
    CallSearch cs = {target, false};
    find_call(BinaryenFunctionGetBody(f), &cs);
    return cs.found;
}

/* mp_load_method_maybe: mp_load_method's first call, on its own three
 * parameters. */
static const char *first_call_on_params(BinaryenExpressionRef e)
{
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenCallId()) {
        if (BinaryenCallGetNumOperands(e) != 3)
            return NULL;
        for (BinaryenIndex i = 0; i < 3; i++) {
            BinaryenExpressionRef a = BinaryenCallGetOperandAt(e, i);
            if (BinaryenExpressionGetId(a) != BinaryenLocalGetId() || BinaryenLocalGetGetIndex(a) != i)
                return NULL;
        }
        return BinaryenCallGetTarget(e);
    }
    if (id == BinaryenBlockId()) {
        BinaryenIndex n = BinaryenBlockGetNumChildren(e);
        for (BinaryenIndex i = 0; i < n; i++) {
            BinaryenExpressionRef c = BinaryenBlockGetChildAt(e, i);
            if (BinaryenExpressionGetId(c) == BinaryenCallId() || BinaryenExpressionGetId(c) == BinaryenBlockId())
                return first_call_on_params(c);
        }
    }
    return NULL;
}

/* ---- building --------------------------------------------------------------- */

typedef struct {
    BinaryenModuleRef m;
    const char *sp_global;
} Ir;

enum { L_N, L_ARGS, L_KW, L_X, L_SP, L_IT, L_K }; /* dict_update's locals */

static BinaryenExpressionRef c32(Ir *ir, int32_t v) { return BinaryenConst(ir->m, BinaryenLiteralInt32(v)); }
static BinaryenExpressionRef get(Ir *ir, BinaryenIndex l) { return BinaryenLocalGet(ir->m, l, BinaryenTypeInt32()); }
static BinaryenExpressionRef set(Ir *ir, BinaryenIndex l, BinaryenExpressionRef v) { return BinaryenLocalSet(ir->m, l, v); }
static BinaryenExpressionRef load(Ir *ir, uint32_t off, BinaryenExpressionRef p)
{
    return BinaryenLoad(ir->m, 4, false, off, 4, BinaryenTypeInt32(), p);
}
static BinaryenExpressionRef bin(Ir *ir, BinaryenOp op, BinaryenExpressionRef a, BinaryenExpressionRef b)
{
    return BinaryenBinary(ir->m, op, a, b);
}
static BinaryenExpressionRef call(Ir *ir, const char *f, BinaryenExpressionRef *ops, BinaryenIndex n, bool result)
{
    return BinaryenCall(ir->m, f, ops, n, result ? BinaryenTypeInt32() : BinaryenTypeNone());
}
static BinaryenExpressionRef seq(Ir *ir, BinaryenExpressionRef *xs, BinaryenIndex n, BinaryenType t)
{
    return BinaryenBlock(ir->m, NULL, xs, n, t);
}

/* mp_call_method_n_kw(n, 0, dest) with dest at sp: a bound method passes
 * dest[1] as self. */
static BinaryenExpressionRef call_method(Ir *ir, const Finder *fd, int32_t n)
{
    BinaryenExpressionRef bound = load(ir, 4, get(ir, L_SP));
    BinaryenExpressionRef ops[4] = {
        load(ir, 0, get(ir, L_SP)),
        BinaryenSelect(ir->m, bound, c32(ir, n + 1), c32(ir, n), BinaryenTypeInt32()),
        c32(ir, 0),
        BinaryenSelect(ir->m, load(ir, 4, get(ir, L_SP)), bin(ir, BinaryenAddInt32(), get(ir, L_SP), c32(ir, 4)),
                       bin(ir, BinaryenAddInt32(), get(ir, L_SP), c32(ir, 8)), BinaryenTypeInt32()),
    };
    return call(ir, fd->call_n_kw, ops, 4, true);
}

static BinaryenExpressionRef native(Ir *ir, BinaryenExpressionRef n)
{
    BinaryenExpressionRef ops[3] = {n, get(ir, L_ARGS), get(ir, L_KW)};
    return call(ir, NATIVE_NAME, ops, 3, true);
}

/* (x & 3) == 0 && type(x)->make_new == dict_make_new, as dict_update tests */
static BinaryenExpressionRef is_exact_dict(Ir *ir, const Finder *fd)
{
    BinaryenModuleRef m = ir->m;
    BinaryenExpressionRef type = load(ir, 0, get(ir, L_X));
    BinaryenExpressionRef idx = BinaryenLoad(m, 1, false, MP_OBJ_TYPE_SLOT_INDEX_MAKE_NEW, 1, BinaryenTypeInt32(),
                                             load(ir, 0, get(ir, L_X)));
    BinaryenExpressionRef slot =
        load(ir, MP_OBJ_TYPE_SLOTS, bin(ir, BinaryenAddInt32(), type, bin(ir, BinaryenShlInt32(), idx, c32(ir, 2))));
    BinaryenExpressionRef has_slot =
        BinaryenLoad(m, 1, false, MP_OBJ_TYPE_SLOT_INDEX_MAKE_NEW, 1, BinaryenTypeInt32(), load(ir, 0, get(ir, L_X)));
    BinaryenExpressionRef is_obj = BinaryenUnary(m, BinaryenEqZInt32(), bin(ir, BinaryenAndInt32(), get(ir, L_X), c32(ir, 3)));
    BinaryenExpressionRef make_new_is_dict =
        BinaryenIf(m, has_slot, bin(ir, BinaryenEqInt32(), slot, c32(ir, fd->dict_make_new)), c32(ir, 0));
    return BinaryenIf(m, is_obj, make_new_is_dict, c32(ir, 0));
}

/* for k in x.keys(): self[k] = x.__getitem__(k); the value is parked at
 * sp+12 (scanned by the GC) while the slot is made. */
static BinaryenExpressionRef copy_mapping(Ir *ir, const Finder *fd)
{
    BinaryenModuleRef m = ir->m;
    BinaryenExpressionRef get_item[3] = {get(ir, L_X), c32(ir, (int32_t)fd->q_getitem), get(ir, L_SP)};
    BinaryenExpressionRef self_map = bin(ir, BinaryenAddInt32(), load(ir, 0, get(ir, L_ARGS)), c32(ir, 4));
    BinaryenExpressionRef lookup[3] = {self_map, get(ir, L_K), c32(ir, 1)};
    BinaryenExpressionRef next[1] = {get(ir, L_IT)};
    BinaryenExpressionRef body[] = {
        set(ir, L_K, call(ir, fd->iternext, next, 1, true)),
        BinaryenBreak(m, "airlock_dm_done", BinaryenUnary(m, BinaryenEqZInt32(), get(ir, L_K)), NULL),
        call(ir, fd->load_method, get_item, 3, false),
        BinaryenStore(m, 4, 8, 4, get(ir, L_SP), get(ir, L_K), BinaryenTypeInt32()),
        BinaryenStore(m, 4, 12, 4, get(ir, L_SP), call_method(ir, fd, 1), BinaryenTypeInt32()),
        BinaryenStore(m, 4, 4, 4, call(ir, fd->map_lookup, lookup, 3, true), load(ir, 12, get(ir, L_SP)),
                      BinaryenTypeInt32()),
        BinaryenBreak(m, "airlock_dm_next", NULL, NULL),
    };
    BinaryenExpressionRef loop = BinaryenLoop(m, "airlock_dm_next", seq(ir, body, sizeof body / sizeof *body, BinaryenTypeNone()));
    BinaryenExpressionRef keys[2] = {call_method(ir, fd, 0), c32(ir, 0)};
    BinaryenExpressionRef steps[] = {
        BinaryenDrop(m, native(ir, c32(ir, 1))),
        set(ir, L_IT, call(ir, fd->getiter, keys, 2, true)),
        BinaryenBlock(m, "airlock_dm_done", &loop, 1, BinaryenTypeNone()),
    };
    return seq(ir, steps, sizeof steps / sizeof *steps, BinaryenTypeNone());
}

static BinaryenExpressionRef mapping_body(Ir *ir, const Finder *fd)
{
    BinaryenModuleRef m = ir->m;
    BinaryenExpressionRef sp_down = BinaryenGlobalSet(
        m, ir->sp_global,
        BinaryenLocalTee(m, L_SP, bin(ir, BinaryenSubInt32(), BinaryenGlobalGet(m, ir->sp_global, BinaryenTypeInt32()), c32(ir, 16)),
                         BinaryenTypeInt32()));
    BinaryenExpressionRef sp_up = BinaryenGlobalSet(m, ir->sp_global, bin(ir, BinaryenAddInt32(), get(ir, L_SP), c32(ir, 16)));
    BinaryenExpressionRef sp_up2 = BinaryenGlobalSet(m, ir->sp_global, bin(ir, BinaryenAddInt32(), get(ir, L_SP), c32(ir, 16)));
    BinaryenExpressionRef keys_attr[3] = {get(ir, L_X), c32(ir, (int32_t)fd->q_keys), get(ir, L_SP)};
    BinaryenExpressionRef has_keys = load(ir, 0, get(ir, L_SP));
    BinaryenExpressionRef mapped[] = {copy_mapping(ir, fd), sp_up,
                                      BinaryenReturn(m, native(ir, c32(ir, 1)))};
    BinaryenExpressionRef steps[] = {
        sp_down,
        BinaryenStore(m, 4, 0, 4, get(ir, L_SP), c32(ir, 0), BinaryenTypeInt32()),
        call(ir, fd->load_method_maybe, keys_attr, 3, false),
        BinaryenIf(m, has_keys, seq(ir, mapped, 3, BinaryenTypeNone()), NULL),
        sp_up2,
    };
    BinaryenExpressionRef work = seq(ir, steps, sizeof steps / sizeof *steps, BinaryenTypeNone());
    BinaryenExpressionRef not_dict = BinaryenIf(m, is_exact_dict(ir, fd), BinaryenNop(m), work);
    BinaryenExpressionRef two_args[] = {set(ir, L_X, load(ir, 4, get(ir, L_ARGS))), not_dict};
    BinaryenExpressionRef outer[] = {
        BinaryenIf(m, bin(ir, BinaryenEqInt32(), get(ir, L_N), c32(ir, 2)), seq(ir, two_args, 2, BinaryenTypeNone()), NULL),
        native(ir, get(ir, L_N)),
    };
    return seq(ir, outer, 2, BinaryenTypeInt32());
}

/* ---- the pass --------------------------------------------------------------- */

void dict_mapping_scan(const DataImage *img, DictMapInfo *out)
{
    memset(out, 0, sizeof *out);
    out->q_keys = qstr_find(img, "keys");
    out->q_getitem = qstr_find(img, "__getitem__");
    if (!out->q_keys || !out->q_getitem)
        die("dict mapping: the static qstrs keys/__getitem__ are missing");
    size_t len = sizeof WRONG_LENGTH; /* with the NUL */
    for (size_t si = 0; si < img->nsegs && !out->wrong_length_addr; si++) {
        const DataSeg *sg = &img->segs[si];
        const uint8_t *bytes = img->buf + sg->file_off;
        for (uint32_t off = 0; off + len <= sg->len; off++)
            if (memcmp(bytes + off, WRONG_LENGTH, len) == 0) {
                if (out->wrong_length_addr)
                    die("dict mapping: the text \"" WRONG_LENGTH "\" occurs twice");
                out->wrong_length_addr = sg->addr + off;
            }
    }
    if (!out->wrong_length_addr)
        die("dict mapping: the text \"" WRONG_LENGTH "\" is missing");
}

static BinaryenFunctionRef find_dict_update(BinaryenModuleRef m, const DictMapInfo *info)
{
    BinaryenFunctionRef found = NULL;
    BinaryenIndex n = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < n; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (func_is_import(f) || !contains_const(BinaryenFunctionGetBody(f), info->wrong_length_addr))
            continue;
        if (found)
            die("dict mapping: two functions raise \"" WRONG_LENGTH "\"");
        found = f;
    }
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenType p3[3] = {i32, i32, i32};
    if (!found || BinaryenFunctionGetParams(found) != BinaryenTypeCreate(p3, 3) ||
        BinaryenFunctionGetResults(found) != i32 || BinaryenFunctionGetNumVars(found) < 4)
        die("dict mapping: dict_update (n_args, args, kwargs) -> obj not found");
    return found;
}

static void find_kwargs_expansion(BinaryenModuleRef m, Finder *fd)
{
    BinaryenIndex n = BinaryenGetNumFunctions(m);
    int hits = 0;
    for (BinaryenIndex i = 0; i < n; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (func_is_import(f))
            continue;
        Finder t = *fd;
        t.load_method = t.call_n_kw = NULL;
        t.keys_seen = t.getitem_seen = t.getiter_of_call = false;
        scan_kwargs_expansion(BinaryenFunctionGetBody(f), &t);
        if (t.keys_seen && t.getitem_seen && t.getiter_of_call) {
            *fd = t;
            hits++;
        }
    }
    if (hits != 1)
        die("dict mapping: %d candidates for the **kwargs mapping expansion (want 1)", hits);
    BinaryenFunctionRef lm = BinaryenGetFunction(m, fd->load_method);
    fd->load_method_maybe = lm ? first_call_on_params(BinaryenFunctionGetBody(lm)) : NULL;
    if (!fd->load_method_maybe)
        die("dict mapping: mp_load_method does not start with mp_load_method_maybe");
}

void dict_mapping_add(BinaryenModuleRef m, const DictMapInfo *info)
{
    Finder fd = {.m = m, .q_keys = info->q_keys, .q_getitem = info->q_getitem,
                 .wrong_length_addr = info->wrong_length_addr};
    BinaryenFunctionRef du = find_dict_update(m, info);
    scan_dict_update(BinaryenFunctionGetBody(du), &fd);
    if (!fd.getiter || !fd.iternext || !fd.map_lookup || !fd.dict_make_new || !fd.raises_wrong_length)
        die("dict mapping: dict_update does not have the expected calls");
    const char *make_new = table_entry(m, fd.dict_make_new);
    BinaryenFunctionRef mn = make_new ? BinaryenGetFunction(m, make_new) : NULL;
    if (!mn || !calls(mn, BinaryenFunctionGetName(du)))
        die("dict mapping: table entry %d is not a dict_make_new that calls dict_update", fd.dict_make_new);
    find_kwargs_expansion(m, &fd);

    if (BinaryenGetNumGlobals(m) == 0)
        die("dict mapping: no stack-pointer global");
    Ir ir = {m, BinaryenGlobalGetName(BinaryenGetGlobalByIndex(m, 0))};
    if (BinaryenGetFunction(m, NATIVE_NAME))
        die("dict mapping: internal name %s already taken", NATIVE_NAME);
    BinaryenIndex nv = BinaryenFunctionGetNumVars(du);
    BinaryenType *vars = malloc(nv * sizeof *vars);
    if (!vars)
        die("out of memory");
    for (BinaryenIndex i = 0; i < nv; i++)
        vars[i] = BinaryenFunctionGetVar(du, i);
    BinaryenAddFunction(m, NATIVE_NAME, BinaryenFunctionGetParams(du), BinaryenTypeInt32(), vars, nv,
                        BinaryenFunctionGetBody(du));
    free(vars);
    BinaryenFunctionSetBody(du, mapping_body(&ir, &fd));
    note("dict mapping: dict_update is %s; keys() protocol through %s/%s/%s", BinaryenFunctionGetName(du),
         fd.load_method_maybe, fd.load_method, fd.call_n_kw);
}
