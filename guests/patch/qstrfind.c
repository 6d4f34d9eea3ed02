/*
 * Interned-string lookup through the host.
 *
 * MicroPython v1.27's qstr_find_strn (py/qstr.c) looks a string up in the
 * chain of qstr pools, newest first; the pools made at run time are not
 * sorted, so every new short string (mp_obj_new_str interns when it can) is
 * compared with each of the ~1,250 qstrs the compatibility layer adds.  This
 * pass prepends to the function
 *
 *     if (len != 0) { r = airlock.qstr_find(str, len); if (r != -1) return r; }
 *
 * and calls the original body after it: the host answers from its hash
 * index of the pools (src/runtime/qstr.c), or declines with -1 and the
 * guest searches as before.  The addresses the host needs are read off the
 * code, as the GC hook's are.
 *
 * The shape: a function (i32 str, i32 len) -> i32 that computes djb2
 * (i32.const 5381, i32.mul by 33), masks it to the hash width
 * (i32.and 255 or 65535), reads exactly one constant address (the pool chain
 * head, MP_STATE_VM(last_pool)), reads the pool fields len, hashes and
 * lengths (offsets 12, 16, 20), the lengths one byte each, and returns total_prev_len & 0x7fffffff plus
 * an index.  Exactly one function may match.
 */
#include "patch.h"

#include <string.h>

#define QSTR_IMPORT_INTERNAL HOST_IMPORT_PREFIX "qstr_find"
#define QSTR_GUEST_INTERNAL "airlock$qstr_find_strn_guest"

typedef struct {
    bool djb2_seed, djb2_mul, total_prev_mask;
    bool field12, field16, field20;
    unsigned const_loads;
    uint32_t head_addr;
    uint32_t hash_mask;
    unsigned hash_loads16;
    bool len_bytes1;  /* lengths[] is read a byte at a time */
} QstrScan;

static void scan_qstr(BinaryenExpressionRef e, void *ctx)
{
    QstrScan *s = ctx;
    BinaryenExpressionId id = BinaryenExpressionGetId(e);
    int32_t c;
    if (expr_is_const_i32(e, &c) && c == 5381)
        s->djb2_seed = true;
    if (id == BinaryenBinaryId()) {
        BinaryenOp op = BinaryenBinaryGetOp(e);
        bool rc = expr_is_const_i32(BinaryenBinaryGetRight(e), &c);
        if (op == BinaryenMulInt32() && rc && c == 33)
            s->djb2_mul = true;
        if (op == BinaryenAndInt32() && rc && c == 0x7fffffff)
            s->total_prev_mask = true;
        if (op == BinaryenAndInt32() && rc && (c == 0xff || c == 0xffff))
            s->hash_mask = (uint32_t)c;
    }
    if (id != BinaryenLoadId() || BinaryenExpressionGetType(e) != BinaryenTypeInt32())
        return;
    BinaryenExpressionRef ptr = BinaryenLoadGetPtr(e);
    uint32_t off = BinaryenLoadGetOffset(e), bytes = BinaryenLoadGetBytes(e);
    if (expr_is_const_i32(ptr, &c)) {
        if (bytes == 4) {
            s->const_loads++;
            s->head_addr = (uint32_t)c + off;
        }
        return;
    }
    if (bytes == 4 && BinaryenExpressionGetId(ptr) == BinaryenLocalGetId()) {
        s->field12 |= off == 12;
        s->field16 |= off == 16;
        s->field20 |= off == 20;
    }
    if (bytes == 2 && off == 0)
        s->hash_loads16++;
    /* lengths[at]: i32.load8_u (i32.add (i32.load offset=20 pool) at) */
    if (bytes == 1 && BinaryenExpressionGetId(ptr) == BinaryenBinaryId() &&
        BinaryenBinaryGetOp(ptr) == BinaryenAddInt32()) {
        BinaryenExpressionRef l = BinaryenBinaryGetLeft(ptr);
        if (BinaryenExpressionGetId(l) == BinaryenLoadId() && BinaryenLoadGetOffset(l) == 20)
            s->len_bytes1 = true;
    }
}

static bool is_find_signature(BinaryenFunctionRef f)
{
    BinaryenType params[2] = {BinaryenTypeInt32(), BinaryenTypeInt32()};
    return BinaryenFunctionGetParams(f) == BinaryenTypeCreate(params, 2) &&
           BinaryenFunctionGetResults(f) == BinaryenTypeInt32();
}

static bool looks_like_find(const QstrScan *s)
{
    return s->djb2_seed && s->djb2_mul && s->total_prev_mask && s->const_loads == 1 &&
           s->field12 && s->field16 && s->field20 && s->hash_mask && s->len_bytes1;
}

void qstr_find_hook(BinaryenModuleRef m, QstrLayout *out)
{
    memset(out, 0, sizeof *out);
    BinaryenFunctionRef found = NULL;
    QstrScan hit = {0};
    unsigned n = 0;
    BinaryenIndex nf = BinaryenGetNumFunctions(m);
    for (BinaryenIndex i = 0; i < nf; i++) {
        BinaryenFunctionRef f = BinaryenGetFunctionByIndex(m, i);
        if (!func_is_defined(f) || !is_find_signature(f))
            continue;
        QstrScan s = {0};
        walk(BinaryenFunctionGetBody(f), scan_qstr, &s);
        if (!looks_like_find(&s))
            continue;
        n++;
        found = f;
        hit = s;
    }
    if (n != 1)
        die("qstr hook: %u functions look like qstr_find_strn (want exactly 1); "
            "the guest is not the pinned MicroPython build", n);
    uint32_t bytes = hit.hash_mask == 0xffff ? 2 : 1;
    if (bytes == 2 && !hit.hash_loads16)
        die("qstr hook: qstr_find_strn masks hashes to 2 bytes but never loads one");
    out->last_pool_addr = hit.head_addr;
    out->hash_bytes = bytes;
    /* the empty string is not asked about: its qstr is static */
    ask_host_first(m, found, QSTR_IMPORT_INTERNAL, QSTR_GUEST_INTERNAL, BinaryenLocalGet(m, 1, BinaryenTypeInt32()));
    note("qstr hook: qstr_find_strn = %s, pool chain head at %u, %u-byte hashes",
         BinaryenFunctionGetName(found), out->last_pool_addr, out->hash_bytes);
}
