/*
 * jsonplain.c - json.dumps's type check, in the host.
 *
 * guests/micropython/lib/json.py hands an object to the guest's C encoder
 * only when that encoder prints what CPython's json.dumps (default options)
 * would. That holds for "plain" data: exact str, int, float, bool, None,
 * list, tuple and dict, every dict key an exact str, every float finite,
 * and every string free of the bytes the two encoders write differently
 * (CPython escapes \b, \f, DEL and everything above ASCII; the guest writes
 * \u0008, \u000c and the raw bytes). Anything else (bytes, a dict subclass
 * such as the layer's ordered dicts, instances whose repr the guest would
 * print, cycles) goes to the Python encoder, which raises what CPython
 * raises. Walking the value in Python cost more than encoding it; this walk
 * reads the object graph in guest memory instead.
 *
 * The guest's objects (MicroPython, object representation A, wasm32): a
 * word w is a small int if w & 1, an interned str (qstr number w >> 3) if
 * w & 7 == 2, None, False, True if it is 6, 14, 30, else (w & 3 == 0) the
 * address of an object whose first word is its type:
 *   str   {type, hash, len, data*}       float {type, pad, double}
 *   list  {type, alloc, len, items*}     tuple {type, len, items[len]}
 *   dict  {type, map bits, alloc, table*}, table: alloc {key, value} slots,
 *         key 0 (empty) or 4 (deleted) is no entry
 * The type addresses come with every call, as does the object: json.py
 * passes "STR INT FLOAT LIST TUPLE DICT OBJECT", each an id(), which in
 * this guest is the object's word. A forged call only misleads the guest
 * about its own data: every read is validated, and an unreadable word or
 * one of unknown shape answers "not plain".
 *
 * Work is capped: PLAIN_MAX_DEPTH open containers (a cycle reaches it and
 * answers "not plain"; the Python encoder then reports the cycle), and
 * PLAIN_MAX_WORK units of work, a unit a string byte scanned and 16 a word
 * read (shared sub-structures, such as one long string a million times in
 * a list, are walked once per path, as the encoder would print them); all
 * of it is charged as fuel. Past the cap the answer is "not plain", and the
 * metered Python encoder does the work.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guests/micropython/micropython.h"
#include "guests/micropython/slot.h"

#define PLAIN_MAX_DEPTH 1000          /* CPython's default recursion limit */
#define PLAIN_MAX_WORK (1ull << 28)      /* about 0.1 s of host time */
#define PLAIN_MAX_POOLS 64
#define PLAIN_ARGS_MAX 128            /* the "STR INT ... OBJECT" text */

enum { T_STR, T_INT, T_FLOAT, T_LIST, T_TUPLE, T_DICT, T_COUNT };

/* An open container: its slots (words, or key/value pairs) still to read. */
typedef struct frame {
    const uint8_t *at;
    uint32_t left;
    bool pairs;
} frame;

typedef struct walk {
    airlock_vm *vm;
    uint32_t type[T_COUNT];
    uint64_t words, bytes;            /* read so far: for the cap and the fuel */
    frame stack[PLAIN_MAX_DEPTH];
    int depth;
    uint32_t pool[PLAIN_MAX_POOLS];   /* qstr pool chain, newest first */
    int npools;                       /* -1: not read yet */
} walk;

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* The guest object's n bytes at addr, or NULL (n is 64 bits: a container's
 * slot count times its stride must not wrap). */
static const uint8_t *object(walk *w, uint32_t addr, uint64_t n) { return vm_ptr(w->vm, addr, n); }

/* Bytes both encoders write alike inside a JSON string. */
static bool same_text(walk *w, const uint8_t *s, uint32_t n) {
    w->bytes += n;
    for (uint32_t i = 0; i < n; i++)
        if (s[i] >= 0x7f || s[i] == '\b' || s[i] == '\f') return false;
    return true;
}

static bool read_pools(walk *w) {
    uint32_t addr;
    w->npools = 0;
    if (!vm_load_u32(w->vm, AIRLOCK_QSTR_LAST_POOL_ADDR, &addr)) return false;
    while (addr) {
        const uint8_t *p = object(w, addr, 24);
        if (!p || w->npools == PLAIN_MAX_POOLS) return false;
        w->pool[w->npools++] = addr;
        addr = rd32(p);
    }
    return true;
}

/* The interned string q: its text checked as a str's. */
static bool qstr_plain(walk *w, uint32_t q) {
    if (w->npools < 0 && !read_pools(w)) return false;
    for (int k = 0; k < w->npools; k++) {
        const uint8_t *p = object(w, w->pool[k], 24);
        uint32_t base = rd32(p + 4) & 0x7fffffffu, len = rd32(p + 12), lengths = rd32(p + 20);
        if (q < base || q - base >= len) continue;
        uint32_t i = q - base;
        const uint8_t *slot = object(w, w->pool[k] + 24 + 4 * i, 4), *n = object(w, lengths + i, 1);
        const uint8_t *text = slot && n ? object(w, rd32(slot), *n) : NULL;
        return text && same_text(w, text, *n);
    }
    return false;
}

/* The str object o (its 16 bytes readable). */
static bool str_plain(walk *w, const uint8_t *o) {
    const uint8_t *text = object(w, rd32(o + 12), rd32(o + 8));
    return text && same_text(w, text, rd32(o + 8));
}

/* A dict key: an interned or exact str. */
static bool key_plain(walk *w, uint32_t v) {
    if ((v & 7) == 2) return qstr_plain(w, v >> 3);
    const uint8_t *o = (v & 3) == 0 ? object(w, v, 16) : NULL;
    return o && rd32(o) == w->type[T_STR] && str_plain(w, o);
}

static bool open_container(walk *w, const uint8_t *at, uint32_t slots, bool pairs) {
    if (!at || w->depth == PLAIN_MAX_DEPTH) return false;
    w->stack[w->depth++] = (frame){at, slots, pairs};
    return true;
}

/* One value: a scalar checked, or a container opened. */
static bool value(walk *w, uint32_t v) {
    if ((v & 1) || v == 6 || v == 14 || v == 30) return true;
    if ((v & 7) == 2) return qstr_plain(w, v >> 3);
    const uint8_t *o = (v & 3) == 0 ? object(w, v, 16) : NULL;
    if (!o) return false;
    uint32_t t = rd32(o);
    if (t == w->type[T_STR]) return str_plain(w, o);
    if (t == w->type[T_INT]) return true;
    if (t == w->type[T_FLOAT]) {
        double d;
        memcpy(&d, o + 8, sizeof d);
        return d - d == 0; /* finite: NaN and infinities give NaN */
    }
    if (t == w->type[T_LIST]) return open_container(w, object(w, rd32(o + 12), (uint64_t)rd32(o + 8) * 4), rd32(o + 8), false);
    if (t == w->type[T_TUPLE]) return open_container(w, object(w, v + 8, (uint64_t)rd32(o + 4) * 4), rd32(o + 4), false);
    if (t == w->type[T_DICT]) return open_container(w, object(w, rd32(o + 12), (uint64_t)rd32(o + 8) * 8), rd32(o + 8), true);
    return false;
}

/* The next slot of the innermost container, or close it. */
static bool step(walk *w) {
    frame *f = &w->stack[w->depth - 1];
    if (f->left == 0) {
        w->depth--;
        return true;
    }
    f->left--;
    const uint8_t *at = f->at;
    f->at += f->pairs ? 8 : 4;
    w->words += f->pairs ? 2 : 1;
    if (!f->pairs) return value(w, rd32(at));
    uint32_t key = rd32(at);
    if (key == 0 || key == 4) return true;
    return key_plain(w, key) && value(w, rd32(at + 4));
}

static uint64_t work(const walk *w) { return w->words * 16 + w->bytes; }

static bool plain(walk *w, uint32_t root) {
    if (!value(w, root)) return false;
    while (w->depth > 0)
        if (work(w) > PLAIN_MAX_WORK || !step(w)) return false;
    return true;
}

/* "STR INT FLOAT LIST TUPLE DICT OBJECT" into w's types and *root. */
static bool parse_args(walk *w, const uint8_t *s, size_t n, uint32_t *root) {
    char text[PLAIN_ARGS_MAX + 1];
    if (n > PLAIN_ARGS_MAX) return false;
    memcpy(text, s, n);
    text[n] = 0;
    char *p = text;
    for (int k = 0; k <= T_COUNT; k++) {
        if (*p < '0' || *p > '9') return false;
        char *end;
        unsigned long v = strtoul(p, &end, 10);
        if (v > UINT32_MAX || (*end != ' ' && *end != 0) || (*end == 0) != (k == T_COUNT)) return false;
        if (k < T_COUNT) w->type[k] = (uint32_t)v;
        else *root = (uint32_t)v;
        p = end + (*end == ' ');
    }
    return true;
}

void mp_json_plain(airlock_vm *vm, uint32_t arg, uint32_t out) {
    size_t n;
    const uint8_t *text = mp_bridge_text(vm, arg, &n);
    walk *w = calloc(1, sizeof *w);
    uint32_t root;
    bool ok = false;
    if (w && text) {
        w->vm = vm;
        w->npools = -1;
        ok = parse_args(w, text, n, &root) && plain(w, root);
        mp_bridge_charge(vm, n + work(w));
    }
    free(w);
    mp_bridge_put(vm, out, SLOT_JS_BOOLEAN, ok, 0);
}
