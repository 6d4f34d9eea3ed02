/*
 * Substring search through the host.
 *
 * MicroPython v1.27's find_subbytes (py/objstr.c, behind str.find, rfind,
 * index, `in`, replace, split and partition) calls memcmp at every position
 * of the haystack: on 1 MB that is a million guest calls.  This pass
 * prepends
 *
 *     r = airlock.find_subbytes(haystack, hlen, needle, nlen, direction);
 *     if (r != -1) return r;
 *
 * and runs the original body after it: the host answers with memmem (or a
 * backward search for short needles), or declines with -1 and the guest
 * searches as before (src/guests/micropython/search.c says when).
 *
 * The shape: a function (i32 haystack, i32 hlen, i32 needle, i32 nlen,
 * i32 direction) -> i32 with a loop, that tests i32.gt_s (local.get 4)
 * (i32.const 0) and calls one function (i32, i32, i32) -> i32 (memcmp) with
 * (i32.add (local.get 0) (local.get I)) (under a local.tee or not),
 * (local.get 2), (local.get 3).  Exactly one function may match.
 *
 * str.count and bytes.count (str_count) have a loop of their own:
 *
 *     loop { if (memcmp(P, N, L) == 0) { C = C + 1; P = P + L; }
 *            else P = is_bytes ? P + 1 : utf8_next_char(P);
 *            br_if loop ((T = P + L) <= E) }
 *
 * with C zero before it.  The loop becomes
 *
 *     C = airlock.count_subbytes(P, E, N, L);
 *     if (C == -1) { C = 0; loop }
 *
 * (the host declines what it cannot answer exactly, search.c).  After the
 * loop the function reads only C.  The shape, in a function (i32, i32) ->
 * i32: a loop that calls find_subbytes's memcmp once with three local.gets
 * (P, N, L), sets C = C + 1 for one local C other than P (P = P + 1 may
 * be there too), sets P from a call (i32) -> i32 of P
 * (utf8_next_char), and ends with br_if of i32.le_u (local.tee T (i32.add
 * (local.get P) (local.get L))) (local.get E).  Exactly one loop may match.
 */
#include "patch.h"

#include <string.h>

#define FIND_IMPORT_INTERNAL HOST_IMPORT_PREFIX "find_subbytes"
#define FIND_GUEST_INTERNAL "airlock$find_subbytes_guest"
#define COUNT_IMPORT_NAME "count_subbytes"
#define COUNT_IMPORT_INTERNAL HOST_IMPORT_PREFIX COUNT_IMPORT_NAME

typedef struct {
    BinaryenModuleRef m;
    unsigned memcmp_calls;
    const char *memcmp;
    bool loop, direction_test;
} FindScan;

static bool is_local(BinaryenExpressionRef e, BinaryenIndex want)
{
    BinaryenIndex idx = 0;
    return expr_is_local_get(e, &idx) && idx == want;
}

static bool is_three_i32_to_i32(BinaryenModuleRef m, const char *callee)
{
    BinaryenFunctionRef f = BinaryenGetFunction(m, callee);
    BinaryenType p[3] = {BinaryenTypeInt32(), BinaryenTypeInt32(), BinaryenTypeInt32()};
    return f && BinaryenFunctionGetParams(f) == BinaryenTypeCreate(p, 3) &&
           BinaryenFunctionGetResults(f) == BinaryenTypeInt32();
}

/* memcmp(haystack + i, needle, nlen) */
static bool is_memcmp_at_position(BinaryenModuleRef m, BinaryenExpressionRef e)
{
    if (BinaryenExpressionGetId(e) != BinaryenCallId() || BinaryenCallGetNumOperands(e) != 3 ||
        !is_three_i32_to_i32(m, BinaryenCallGetTarget(e)) ||
        !is_local(BinaryenCallGetOperandAt(e, 1), 2) || !is_local(BinaryenCallGetOperandAt(e, 2), 3))
        return false;
    BinaryenExpressionRef at = BinaryenCallGetOperandAt(e, 0);
    if (BinaryenExpressionGetId(at) == BinaryenLocalSetId() && BinaryenLocalSetIsTee(at))
        at = BinaryenLocalSetGetValue(at);
    BinaryenIndex idx = 0;
    return BinaryenExpressionGetId(at) == BinaryenBinaryId() && BinaryenBinaryGetOp(at) == BinaryenAddInt32() &&
           is_local(BinaryenBinaryGetLeft(at), 0) && expr_is_local_get(BinaryenBinaryGetRight(at), &idx);
}

static void scan_find(BinaryenExpressionRef e, void *ctx)
{
    FindScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    int32_t c = -1;
    s->loop |= id == BinaryenLoopId();
    if (id == BinaryenBinaryId() && BinaryenBinaryGetOp(e) == BinaryenGtSInt32() &&
        is_local(BinaryenBinaryGetLeft(e), 4) && expr_is_const_i32(BinaryenBinaryGetRight(e), &c) && c == 0)
        s->direction_test = true;
    if (is_memcmp_at_position(s->m, e)) {
        s->memcmp_calls++;
        s->memcmp = BinaryenCallGetTarget(e);
    }
}

static bool is_find_signature(BinaryenFunctionRef f)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenType params[5] = {i32, i32, i32, i32, i32};
    return BinaryenFunctionGetParams(f) == BinaryenTypeCreate(params, 5) && BinaryenFunctionGetResults(f) == i32;
}

/* ---- str_count's loop ---- */

typedef struct {
    BinaryenModuleRef m;
    const char *memcmp;
    BinaryenIndex p, n, l, c, e;
    BinaryenIndex incremented[4]; /* locals set to themselves + 1 */
    unsigned memcmp_calls, increments, steps;
} CountScan;

static bool is_i32_to_i32(BinaryenModuleRef m, const char *callee)
{
    BinaryenFunctionRef f = BinaryenGetFunction(m, callee);
    return f && BinaryenFunctionGetParams(f) == BinaryenTypeInt32() &&
           BinaryenFunctionGetResults(f) == BinaryenTypeInt32();
}

static void scan_count_body(BinaryenExpressionRef e, void *ctx)
{
    CountScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    if (id == BinaryenCallId() && BinaryenCallGetNumOperands(e) == 3 &&
        strcmp(BinaryenCallGetTarget(e), s->memcmp) == 0 && expr_is_local_get(BinaryenCallGetOperandAt(e, 0), &s->p) &&
        expr_is_local_get(BinaryenCallGetOperandAt(e, 1), &s->n) &&
        expr_is_local_get(BinaryenCallGetOperandAt(e, 2), &s->l))
        s->memcmp_calls++;
    if (id != BinaryenLocalSetId() || BinaryenLocalSetIsTee(e))
        return;
    BinaryenIndex target = BinaryenLocalSetGetIndex(e);
    BinaryenExpressionRef v = BinaryenLocalSetGetValue(e);
    int32_t one = 0;
    if (BinaryenExpressionGetId(v) == BinaryenBinaryId() && BinaryenBinaryGetOp(v) == BinaryenAddInt32() &&
        is_local(BinaryenBinaryGetLeft(v), target) && expr_is_const_i32(BinaryenBinaryGetRight(v), &one) && one == 1) {
        if (s->increments < 4)
            s->incremented[s->increments] = target;
        s->increments++;
    }
    if (BinaryenExpressionGetId(v) == BinaryenCallId() && BinaryenCallGetNumOperands(v) == 1 &&
        is_i32_to_i32(s->m, BinaryenCallGetTarget(v)) && is_local(BinaryenCallGetOperandAt(v, 0), target))
        s->steps++;
}

/* The loop's last expression: br_if (i32.le_u (local.tee T (P + L)) (local.get E)) to the loop. */
static bool ends_with_bound_check(BinaryenExpressionRef loop, CountScan *s)
{
    BinaryenExpressionRef body = BinaryenLoopGetBody(loop);
    if (BinaryenExpressionGetId(body) != BinaryenBlockId() || BinaryenBlockGetNumChildren(body) == 0)
        return false;
    BinaryenExpressionRef br = BinaryenBlockGetChildAt(body, BinaryenBlockGetNumChildren(body) - 1);
    const char *name = BinaryenLoopGetName(loop);
    if (BinaryenExpressionGetId(br) != BinaryenBreakId() || !name || strcmp(BinaryenBreakGetName(br), name) != 0)
        return false;
    BinaryenExpressionRef cond = BinaryenBreakGetCondition(br);
    if (!cond || BinaryenExpressionGetId(cond) != BinaryenBinaryId() || BinaryenBinaryGetOp(cond) != BinaryenLeUInt32() ||
        !expr_is_local_get(BinaryenBinaryGetRight(cond), &s->e))
        return false;
    BinaryenExpressionRef tee = BinaryenBinaryGetLeft(cond);
    if (BinaryenExpressionGetId(tee) != BinaryenLocalSetId() || !BinaryenLocalSetIsTee(tee))
        return false;
    BinaryenExpressionRef sum = BinaryenLocalSetGetValue(tee);
    return BinaryenExpressionGetId(sum) == BinaryenBinaryId() && BinaryenBinaryGetOp(sum) == BinaryenAddInt32() &&
           is_local(BinaryenBinaryGetLeft(sum), s->p) && is_local(BinaryenBinaryGetRight(sum), s->l);
}

typedef struct {
    BinaryenModuleRef m;
    const char *memcmp;
    BinaryenExpressionRef loop;
    CountScan hit;
    unsigned found;
} CountSearch;

static void find_count_loop(BinaryenExpressionRef e, void *ctx)
{
    CountSearch *cs = ctx;
    if (BinaryenExpressionGetId(e) != BinaryenLoopId())
        return;
    CountScan s = {.m = cs->m, .memcmp = cs->memcmp};
    walk(BinaryenLoopGetBody(e), scan_count_body, &s);
    if (s.memcmp_calls != 1 || s.steps != 1 || s.increments > 4 || !ends_with_bound_check(e, &s))
        return;
    unsigned counters = 0; /* C: the one incremented local that is not P (P + 1 steps over bytes) */
    for (unsigned i = 0; i < s.increments; i++)
        if (s.incremented[i] != s.p) {
            s.c = s.incremented[i];
            counters++;
        }
    if (counters != 1)
        return;
    cs->loop = e;
    cs->hit = s;
    cs->found++;
}

typedef struct {
    BinaryenExpressionRef from, to;
} Replace;

static BinaryenExpressionRef replace_node(BinaryenExpressionRef e, void *ctx)
{
    Replace *r = ctx;
    if (e == r->from)
        return r->to;
    map_children(e, replace_node, r);
    return e;
}

/* C = import(P, E, N, L); if (C == -1) { C = 0; loop } */
static BinaryenExpressionRef count_through_host(BinaryenModuleRef m, const CountScan *s, BinaryenExpressionRef loop)
{
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenExpressionRef args[4] = {BinaryenLocalGet(m, s->p, i32), BinaryenLocalGet(m, s->e, i32),
                                     BinaryenLocalGet(m, s->n, i32), BinaryenLocalGet(m, s->l, i32)};
    BinaryenExpressionRef ask = BinaryenLocalSet(m, s->c, BinaryenCall(m, COUNT_IMPORT_INTERNAL, args, 4, i32));
    BinaryenExpressionRef declined = BinaryenBinary(m, BinaryenEqInt32(), BinaryenLocalGet(m, s->c, i32),
                                                    BinaryenConst(m, BinaryenLiteralInt32(-1)));
    BinaryenExpressionRef fallback[2] = {BinaryenLocalSet(m, s->c, BinaryenConst(m, BinaryenLiteralInt32(0))), loop};
    BinaryenExpressionRef seq[2] = {
        ask, BinaryenIf(m, declined, BinaryenBlock(m, NULL, fallback, 2, BinaryenTypeNone()), NULL)};
    return BinaryenBlock(m, NULL, seq, 2, BinaryenTypeNone());
}

static void count_hook(BinaryenModuleRef m, const char *memcmp)
{
    BinaryenType two[2] = {BinaryenTypeInt32(), BinaryenTypeInt32()};
    BinaryenFunctionRef where = NULL;
    CountSearch all = {.m = m, .memcmp = memcmp};
    BinaryenIndex nf = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < nf; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (!func_is_defined(f) || BinaryenFunctionGetParams(f) != BinaryenTypeCreate(two, 2) ||
            BinaryenFunctionGetResults(f) != BinaryenTypeInt32())
            continue;
        unsigned before = all.found;
        walk(BinaryenFunctionGetBody(f), find_count_loop, &all);
        if (all.found != before)
            where = f;
    }
    if (all.found != 1)
        die("count hook: %u loops look like str_count's (want exactly 1); "
            "the guest is not the pinned MicroPython build", all.found);
    if (BinaryenGetFunction(m, COUNT_IMPORT_INTERNAL))
        die("count hook: internal name %s already taken", COUNT_IMPORT_INTERNAL);
    BinaryenType i32 = BinaryenTypeInt32();
    BinaryenType params[4] = {i32, i32, i32, i32};
    BinaryenAddFunctionImport(m, COUNT_IMPORT_INTERNAL, HOST_IMPORT_MODULE, COUNT_IMPORT_NAME,
                              BinaryenTypeCreate(params, 4), i32);
    Replace r = {all.loop, count_through_host(m, &all.hit, all.loop)};
    BinaryenFunctionSetBody(where, replace_node(BinaryenFunctionGetBody(where), &r));
    note("count hook: str_count = %s (pointer local %u, count local %u)", BinaryenFunctionGetName(where),
         all.hit.p, all.hit.c);
}

void find_subbytes_hook(BinaryenModuleRef m)
{
    BinaryenFunctionRef found = NULL;
    const char *memcmp = NULL;
    unsigned n = 0;
    BinaryenIndex nf = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < nf; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (!func_is_defined(f) || !is_find_signature(f))
            continue;
        FindScan s = {.m = m};
        walk(BinaryenFunctionGetBody(f), scan_find, &s);
        if (!s.loop || !s.direction_test || s.memcmp_calls != 1)
            continue;
        n++;
        found = f;
        memcmp = s.memcmp;
    }
    if (n != 1)
        die("find hook: %u functions look like find_subbytes (want exactly 1); "
            "the guest is not the pinned MicroPython build", n);
    ask_host_first(m, found, FIND_IMPORT_INTERNAL, FIND_GUEST_INTERNAL, NULL);
    note("find hook: find_subbytes = %s (memcmp %s)", BinaryenFunctionGetName(found), memcmp);
    count_hook(m, memcmp);
}
