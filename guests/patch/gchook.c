/*
 * The real-GC hook.
 *
 * The pyscript variant's gc_collect() only sets a "collection pending" byte;
 * a wrapper around every outermost call from JavaScript (the "counter"
 * below) runs gc_collect_start + gc_collect_end when the call depth returns
 * to zero.  airlock can scan the native stack for roots, so gc_collect's body
 * becomes a call to the host import airlock.gc_collect, and the two halves of
 * a collection are exported for the host to call.
 *
 * Everything is found by shape, never by index alone:
 *   gc_collect: () -> (), no locals, body `i32.store8 [C] 1` (C constant)
 *   counter:    contains, in one block, `i32.store8 [C] 0; call A; call B`
 *               with A, B defined () -> () functions (gc_collect_start/_end)
 * and the layout constants are read off their code (see derive_layout).
 */
#include "patch.h"

#include <stdlib.h>
#include <string.h>

#define GC_IMPORT_MODULE "airlock"
#define GC_IMPORT_BASE "gc_collect"
#define GC_IMPORT_INTERNAL "airlock$gc_collect"

/* indices in the pinned module (for an informational cross-check only) */
#define PINNED_GC_COLLECT 1278
#define PINNED_COUNTER 1269
#define PINNED_START 78
#define PINNED_END 80

static bool is_void_void(BinaryenFunctionRef f)
{
    return BinaryenFunctionGetParams(f) == BinaryenTypeNone() &&
           BinaryenFunctionGetResults(f) == BinaryenTypeNone();
}

/* `store<bytes> [const] const_value`: stores its effective address. */
static bool is_const_store(BinaryenExpressionRef e, uint32_t bytes, int32_t value, uint32_t *addr)
{
    int32_t ptr, v;
    if (BinaryenExpressionGetId(e) != BinaryenStoreId() || BinaryenStoreGetBytes(e) != bytes)
        return false;
    if (!expr_is_const_i32(BinaryenStoreGetPtr(e), &ptr) ||
        !expr_is_const_i32(BinaryenStoreGetValue(e), &v) || v != value)
        return false;
    *addr = (uint32_t)ptr + BinaryenStoreGetOffset(e);
    return true;
}

static BinaryenExpressionRef sole_statement(BinaryenExpressionRef body)
{
    while (body && BinaryenExpressionGetId(body) == BinaryenBlockId() &&
           BinaryenBlockGetNumChildren(body) == 1)
        body = BinaryenBlockGetChildAt(body, 0);
    return body;
}

static BinaryenIndex index_of(BinaryenModuleRef m, const char *name)
{
    BinaryenIndex n = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < n; i++)
        if (strcmp(BinaryenFunctionGetName(BinaryenGetFunctionByIndex(m, i)), name) == 0)
            return i;
    die("internal: function %s not found", name);
}

/* ---- gc_collect ---- */

static BinaryenFunctionRef find_gc_collect(BinaryenModuleRef m, uint32_t *pending)
{
    BinaryenFunctionRef found = NULL;
    BinaryenIndex n = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < n; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        uint32_t addr;
        if (!func_is_defined(f) || !is_void_void(f) || BinaryenFunctionGetNumVars(f) != 0)
            continue;
        if (!is_const_store(sole_statement(BinaryenFunctionGetBody(f)), 1, 1, &addr))
            continue;
        if (found)
            die("gc hook: two functions look like gc_collect (store8 [const] 1); "
                "the guest is not the pinned MicroPython build");
        found = f;
        *pending = addr;
    }
    if (!found)
        die("gc hook: no function looks like gc_collect (body `i32.store8 [const] 1`); "
            "the guest is not the pinned MicroPython build");
    return found;
}

/* ---- the outermost-call counter ---- */

typedef struct {
    BinaryenModuleRef m;
    uint32_t pending;
    const char *start, *end;  /* targets of the two calls */
    bool loads_flag;          /* reads the pending byte */
    uint32_t depth_addr;      /* first i32 store to a constant address */
} CounterScan;

static bool is_void_call(BinaryenModuleRef m, BinaryenExpressionRef e, const char **target)
{
    if (BinaryenExpressionGetId(e) != BinaryenCallId() || BinaryenCallGetNumOperands(e) != 0)
        return false;
    BinaryenFunctionRef f = BinaryenGetFunction(m, BinaryenCallGetTarget(e));
    if (!f || !func_is_defined(f) || !is_void_void(f))
        return false;
    *target = BinaryenCallGetTarget(e);
    return true;
}

static void scan_counter(BinaryenExpressionRef e, void *ctx)
{
    CounterScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    int32_t ptr;
    if (id == BinaryenLoadId() && BinaryenLoadGetBytes(e) == 1 &&
        expr_is_const_i32(BinaryenLoadGetPtr(e), &ptr) &&
        (uint32_t)ptr + BinaryenLoadGetOffset(e) == s->pending)
        s->loads_flag = true;
    if (id == BinaryenStoreId() && BinaryenStoreGetBytes(e) == 4 && !s->depth_addr &&
        BinaryenStoreGetValueType(e) == BinaryenTypeInt32() &&
        expr_is_const_i32(BinaryenStoreGetPtr(e), &ptr))
        s->depth_addr = (uint32_t)ptr + BinaryenStoreGetOffset(e);
    if (id != BinaryenBlockId())
        return;
    BinaryenIndex n = BinaryenBlockGetNumChildren(e);
    for (BinaryenIndex i = 0; i + 2 < n; i++) {
        uint32_t addr;
        const char *a, *b;
        if (is_const_store(BinaryenBlockGetChildAt(e, i), 1, 0, &addr) && addr == s->pending &&
            is_void_call(s->m, BinaryenBlockGetChildAt(e, i + 1), &a) &&
            is_void_call(s->m, BinaryenBlockGetChildAt(e, i + 2), &b)) {
            s->start = a;
            s->end = b;
        }
    }
}

static BinaryenFunctionRef find_counter(BinaryenModuleRef m, BinaryenFunctionRef gc,
                                        CounterScan *out)
{
    BinaryenFunctionRef found = NULL;
    BinaryenIndex n = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < n; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (!func_is_defined(f) || f == gc)
            continue;
        CounterScan s = {.m = m, .pending = out->pending};
        walk(BinaryenFunctionGetBody(f), scan_counter, &s);
        if (!s.start)
            continue;
        if (!s.loads_flag || !s.depth_addr)
            die("gc hook: %s clears the pending flag and calls two functions, but does not "
                "read the flag and count calls like the pinned build", BinaryenFunctionGetName(f));
        if (found)
            die("gc hook: two functions clear the GC pending flag and call start/end");
        found = f;
        *out = s;
    }
    if (!found)
        die("gc hook: no function clears the GC pending flag (byte %u) and then calls "
            "gc_collect_start, gc_collect_end", out->pending);
    return found;
}

/* ---- layout derivation ---- */

#define MAX_ADDRS 64
typedef struct {
    uint32_t v[MAX_ADDRS];
    unsigned n;
} AddrSet;

static void set_add(AddrSet *s, uint32_t v)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->v[i] == v)
            return;
    if (s->n < MAX_ADDRS)
        s->v[s->n++] = v;
}

static bool set_has(const AddrSet *s, uint32_t v)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->v[i] == v)
            return true;
    return false;
}

typedef struct {
    AddrSet zero_stores;   /* i32.store [const] 0 */
    AddrSet loads;         /* i32.load [const] */
    AddrSet const_sums;    /* i32.add const const: addresses of fields of a static struct */
    AddrSet sum_bases;     /* the larger operand of each such sum, same order */
    AddrSet block_shifts;  /* s in ((x >> s) & 6): 2-bit alloc-table slot of a block */
    BinaryenModuleRef m;
    const char *callees[MAX_ADDRS];
    unsigned ncallees;
} GcScan;

static void scan_gc(BinaryenExpressionRef e, void *ctx)
{
    GcScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    int32_t a, b;
    uint32_t addr;
    if (is_const_store(e, 4, 0, &addr))
        set_add(&s->zero_stores, addr);
    if (id == BinaryenLoadId() && BinaryenLoadGetBytes(e) == 4 &&
        expr_is_const_i32(BinaryenLoadGetPtr(e), &a))
        set_add(&s->loads, (uint32_t)a + BinaryenLoadGetOffset(e));
    if (id == BinaryenBinaryId() && BinaryenBinaryGetOp(e) == BinaryenAddInt32() &&
        expr_is_const_i32(BinaryenBinaryGetLeft(e), &a) &&
        expr_is_const_i32(BinaryenBinaryGetRight(e), &b)) {
        unsigned before = s->const_sums.n;
        set_add(&s->const_sums, (uint32_t)a + (uint32_t)b);
        if (s->const_sums.n != before) /* keep sum_bases parallel */
            s->sum_bases.v[s->sum_bases.n++] = (uint32_t)(a > b ? a : b);
    }
    /* ((x >> s) & 6): which two bits of an alloc-table byte hold a block */
    if (id == BinaryenBinaryId() && BinaryenBinaryGetOp(e) == BinaryenAndInt32()) {
        BinaryenExpressionRef l = BinaryenBinaryGetLeft(e), r = BinaryenBinaryGetRight(e);
        if (expr_is_const_i32(l, &a)) {
            BinaryenExpressionRef t = l;
            l = r;
            r = t;
        }
        if (expr_is_const_i32(r, &a) && a == 6 && BinaryenExpressionGetId(l) == BinaryenBinaryId() &&
            BinaryenBinaryGetOp(l) == BinaryenShrUInt32() &&
            expr_is_const_i32(BinaryenBinaryGetRight(l), &b))
            set_add(&s->block_shifts, (uint32_t)b);
    }
    if (id == BinaryenCallId() && s->ncallees < MAX_ADDRS) {
        BinaryenFunctionRef f = BinaryenGetFunction(s->m, BinaryenCallGetTarget(e));
        if (f && func_is_defined(f))
            s->callees[s->ncallees++] = BinaryenCallGetTarget(e);
    }
}

/* Reads the GC layout off gc_collect_start (A) and gc_collect_end (B), whose
 * v1.27 source (py/gc.c) does, among other things:
 *   A: MP_STATE_MEM(gc_stack_overflow) = 0; ... for (area = &MP_STATE_MEM(area); ...)
 *   B: while (MP_STATE_MEM(gc_stack_overflow)) { ... = 0; ... }  same area walk
 * so gc_stack_overflow is the one address A zeroes and B both reads and
 * zeroes, and the first area is a constant address both compute as
 * &mp_state_ctx + offset.  In py/mpstate.h the area record (8 words) is
 * immediately followed by gc_stack_overflow, which pins down which constant
 * sum is the area.  The block size is read off the mark routine's
 * alloc-table indexing: with 2^b-byte blocks, a block's 2-bit slot within
 * its alloc-table byte is ((offset >> (b-1)) & 6). */
static void derive_layout(BinaryenModuleRef m, const char *start, const char *end, GcLayout *L)
{
    GcScan a = {.m = m}, b = {.m = m}, callees = {.m = m};
    walk(BinaryenFunctionGetBody(BinaryenGetFunction(m, start)), scan_gc, &a);
    walk(BinaryenFunctionGetBody(BinaryenGetFunction(m, end)), scan_gc, &b);

    unsigned hits = 0;
    for (unsigned i = 0; i < a.zero_stores.n; i++) {
        uint32_t x = a.zero_stores.v[i];
        if (set_has(&b.loads, x) && set_has(&b.zero_stores, x)) {
            L->stack_overflow_addr = x;
            hits++;
        }
    }
    if (hits != 1)
        die("gc hook: cannot identify gc_stack_overflow in gc_collect_start/end (%u candidates)", hits);

    L->area_addr = 0;
    for (unsigned i = 0; i < a.const_sums.n; i++) {
        uint32_t x = a.const_sums.v[i];
        if (x == L->stack_overflow_addr - 32 && set_has(&b.const_sums, x)) {
            L->area_addr = x;
            L->state_ctx_addr = a.sum_bases.v[i];
        }
    }
    if (!L->area_addr)
        die("gc hook: gc_collect_start/end do not both compute the first heap area at "
            "gc_stack_overflow - 32 (%u)", L->stack_overflow_addr - 32);

    /* the mark/sweep helpers are direct callees of A and B */
    GcScan *both[2] = {&a, &b};
    for (int k = 0; k < 2; k++) {
        walk(BinaryenFunctionGetBody(BinaryenGetFunction(m, k ? end : start)), scan_gc, &callees);
        for (unsigned i = 0; i < both[k]->ncallees; i++)
            walk(BinaryenFunctionGetBody(BinaryenGetFunction(m, both[k]->callees[i])), scan_gc,
                 &callees);
    }
    if (callees.block_shifts.n != 1)
        die("gc hook: cannot read the GC block size off the mark/sweep code (%u candidates)",
            callees.block_shifts.n);
    uint32_t shift = callees.block_shifts.v[0] + 1;
    if (shift < 3 || shift > 8)
        die("gc hook: implausible GC block size 2^%u", shift);
    L->block_bytes = 1u << shift;
}

/* mp_sched_keyboard_interrupt (exported) does, in v1.27 py/scheduler.c:
 *   MP_STATE_MAIN_THREAD(mp_pending_exception) = &MP_STATE_VM(mp_kbd_exception);
 *   ... if (MP_STATE_VM(sched_state) == MP_SCHED_IDLE) sched_state = MP_SCHED_PENDING (0);
 * The first is the only i32 store of a constant sum; the second the only
 * 16-bit store of constant 0.  Optional: left 0 if the shape differs. */
typedef struct {
    uint32_t pending_exc, kbd_exc, sched;
    unsigned n_exc, n_sched;
} KbdScan;

static void scan_kbd(BinaryenExpressionRef e, void *ctx)
{
    KbdScan *s = ctx;
    int32_t ptr, a, b;
    uint32_t addr;
    if (BinaryenExpressionGetId(e) != BinaryenStoreId())
        return;
    if (is_const_store(e, 2, 0, &addr)) {
        s->sched = addr;
        s->n_sched++;
    }
    BinaryenExpressionRef v = BinaryenStoreGetValue(e);
    if (BinaryenStoreGetBytes(e) == 4 && expr_is_const_i32(BinaryenStoreGetPtr(e), &ptr) &&
        BinaryenExpressionGetId(v) == BinaryenBinaryId() &&
        BinaryenBinaryGetOp(v) == BinaryenAddInt32() &&
        expr_is_const_i32(BinaryenBinaryGetLeft(v), &a) &&
        expr_is_const_i32(BinaryenBinaryGetRight(v), &b)) {
        s->pending_exc = (uint32_t)ptr + BinaryenStoreGetOffset(e);
        s->kbd_exc = (uint32_t)a + (uint32_t)b;
        s->n_exc++;
    }
}

static void derive_kbd(BinaryenModuleRef m, GcLayout *L)
{
    BinaryenExportRef ex = BinaryenGetExport(m, "mp_sched_keyboard_interrupt");
    if (!ex || BinaryenExportGetKind(ex) != BinaryenExternalFunction()) {
        note("gc hook: no exported mp_sched_keyboard_interrupt; interrupt addresses not derived");
        return;
    }
    BinaryenFunctionRef f = BinaryenGetFunction(m, BinaryenExportGetValue(ex));
    KbdScan s = {0};
    walk(BinaryenFunctionGetBody(f), scan_kbd, &s);
    if (s.n_exc != 1 || s.n_sched != 1) {
        note("gc hook: mp_sched_keyboard_interrupt has an unexpected shape; interrupt addresses not derived");
        return;
    }
    L->pending_exc_addr = s.pending_exc;
    L->kbd_exc_addr = s.kbd_exc;
    L->sched_state_addr = s.sched;
}

static void export_function(BinaryenModuleRef m, const char *internal, const char *external)
{
    if (BinaryenGetExport(m, external))
        die("gc hook: the module already exports \"%s\"", external);
    BinaryenAddFunctionExport(m, internal, external);
}

void gc_hook(BinaryenModuleRef m, GcLayout *L)
{
    memset(L, 0, sizeof *L);
    BinaryenFunctionRef gc = find_gc_collect(m, &L->pending_addr);
    CounterScan cs = {.pending = L->pending_addr};
    BinaryenFunctionRef counter = find_counter(m, gc, &cs);
    L->call_depth_addr = cs.depth_addr;
    if (strcmp(cs.start, cs.end) == 0)
        die("gc hook: gc_collect_start and gc_collect_end are the same function");

    L->gc_collect = index_of(m, BinaryenFunctionGetName(gc));
    L->counter = index_of(m, BinaryenFunctionGetName(counter));
    L->collect_start = index_of(m, cs.start);
    L->collect_end = index_of(m, cs.end);
    note("gc hook: gc_collect = func %u, counter = func %u, start = func %u, end = func %u",
         L->gc_collect, L->counter, L->collect_start, L->collect_end);
    if (L->gc_collect != PINNED_GC_COLLECT || L->counter != PINNED_COUNTER ||
        L->collect_start != PINNED_START || L->collect_end != PINNED_END)
        note("gc hook: note: indices differ from the pinned module's (%d, %d, %d, %d); "
             "the shapes matched, continuing", PINNED_GC_COLLECT, PINNED_COUNTER, PINNED_START,
             PINNED_END);

    derive_layout(m, cs.start, cs.end, L);
    derive_kbd(m, L);

    if (BinaryenGetFunction(m, GC_IMPORT_INTERNAL))
        die("gc hook: internal name %s already taken", GC_IMPORT_INTERNAL);
    BinaryenAddFunctionImport(m, GC_IMPORT_INTERNAL, GC_IMPORT_MODULE, GC_IMPORT_BASE,
                              BinaryenTypeNone(), BinaryenTypeNone());
    BinaryenFunctionSetBody(gc, BinaryenCall(m, GC_IMPORT_INTERNAL, NULL, 0, BinaryenTypeNone()));
    export_function(m, cs.start, "airlock_gc_collect_start");
    export_function(m, cs.end, "airlock_gc_collect_end");
}
