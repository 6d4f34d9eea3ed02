/*
 * json.c - the strict half of the compatibility layer's json.loads.
 *
 * The guest's own C decoder is fast but lax (it takes ',' and ':' for
 * whitespace) and builds dicts that forget key order. So guests/micropython/lib/json.py
 * hands the document to this scanner first (through the js bridge, see
 * js.c). It checks the document as CPython's json does and answers one str:
 *
 *   "!POS MSG"   the JSONDecodeError CPython raises (POS in characters);
 *   "?"          not handled here (NaN/Infinity, lone surrogates, very deep
 *                nesting, output too big): the Python parser decides;
 *   "[R,[E...],[S...]]" a document the guest's C decoder then reads. R
 *                is the value itself when it holds no object; otherwise
 *                null, and the value is rebuilt from the entries E, one per
 *                container that holds an object (itself included), in
 *                post-order: an object is [shape, {the object}, fills], an
 *                array [values, fills]. A shape is an index into S, the
 *                distinct key lists, each [keys] in document order (records
 *                share theirs, so the guest makes each key once). Fills are
 *                the keys or indexes whose values (nulls here) are, in
 *                order, the containers built last.
 *
 * Strings are copied as they are (their escapes mean the same to the guest's
 * decoder) except \uXXXX surrogate pairs, written as the UTF-8 of the
 * character they stand for. The work is linear in the document: all bytes
 * written (nested containers are copied into their parents) are capped at
 * a fixed multiple of it, which also bounds the memory.

 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/micropython/micropython.h"
#include "guests/micropython/slot.h"

#define JSON_MAX_DEPTH 1000       /* CPython's default recursion limit */
#define JSON_OUT_FACTOR 8         /* bytes written per input byte, at most */

typedef struct buf {
    char *data;
    size_t len, cap;
} buf;

/* One open container: its inline text so far, its fills, and for an object
 * its keys (the current one at key_at). */
typedef struct level {
    buf keys, vals, fills;
    size_t key_at;
    uint32_t nvals;
    bool object, has_object;
} level;

/* A key list in the shapes' text: where, and its hash. */
typedef struct shape {
    size_t at, len;
    uint32_t hash;
} shape;

/* The distinct key lists: their text ("[keys]", comma-separated) and an
 * open-addressing index of them (slot: shape number + 1; 0 is empty). */
typedef struct shapes {
    buf text;
    shape *list;
    uint32_t n, cap;
    uint32_t *slot;
    uint32_t mask;
} shapes;

typedef struct scan {
    const uint8_t *s;
    size_t n, i;
    size_t limit, written;        /* bytes written to all buffers: cap, so far */
    buf table;                    /* entries E, comma-separated */
    shapes shapes;                /* S */
    level *lv;
    int depth;
    const char *err;              /* CPython's message, at err_pos */
    size_t err_pos;
    bool punt;                    /* answer "?" */
    bool lone_surrogate;          /* seen: "?" unless an error comes later */
} scan;

/* Count n more bytes of work against the cap. */
static bool spend(scan *sc, size_t n) {
    if (n > sc->limit - sc->written) {
        sc->punt = true;
        return false;
    }
    sc->written += n;
    return true;
}

static bool put(scan *sc, buf *b, const void *p, size_t n) {
    if (n == 0) return true;
    if (!spend(sc, n)) return false;
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        char *d = realloc(b->data, cap);
        if (!d) {
            sc->punt = true;
            return false;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return true;
}

static bool puts_(scan *sc, buf *b, const char *t) { return put(sc, b, t, strlen(t)); }

static bool fail(scan *sc, const char *msg, size_t pos) {
    if (!sc->err && !sc->punt) {
        sc->err = msg;
        sc->err_pos = pos;
    }
    return false;
}

static void skip_ws(scan *sc) {
    while (sc->i < sc->n) {
        uint8_t c = sc->s[sc->i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        sc->i++;
    }
}

static int hexval(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The 4 hex digits at j, or -1. */
static long hex4(const scan *sc, size_t j) {
    if (j + 4 > sc->n) return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(sc->s[j + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

static bool put_utf8(scan *sc, buf *b, uint32_t cp) {
    uint8_t u[4] = {(uint8_t)(0xf0 | (cp >> 18)), (uint8_t)(0x80 | ((cp >> 12) & 0x3f)),
                    (uint8_t)(0x80 | ((cp >> 6) & 0x3f)), (uint8_t)(0x80 | (cp & 0x3f))};
    return put(sc, b, u, 4); /* only called for cp >= 0x10000 */
}

/* The escape at sc->i (a backslash) inside the string opened at start. */
static bool escape(scan *sc, buf *b, size_t start) {
    size_t e = sc->i;
    if (e + 1 >= sc->n) return fail(sc, "Unterminated string starting at", start);
    uint8_t c = sc->s[e + 1];
    if (c != 'u') {
        if (!strchr("\"\\/bfnrt", c) || c == 0) return fail(sc, "Invalid \\escape", e);
        sc->i = e + 2;
        return put(sc, b, sc->s + e, 2);
    }
    long hi = hex4(sc, e + 2);
    if (hi < 0) return fail(sc, "Invalid \\uXXXX escape", e + 1);
    sc->i = e + 6;
    if (hi < 0xd800 || hi > 0xdfff) return put(sc, b, sc->s + e, 6);
    if (hi < 0xdc00 && sc->i + 1 < sc->n && sc->s[sc->i] == '\\' && sc->s[sc->i + 1] == 'u') {
        long lo = hex4(sc, sc->i + 2);
        if (lo < 0) return fail(sc, "Invalid \\uXXXX escape", sc->i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
            sc->i += 6;
            return put_utf8(sc, b, 0x10000 + (((uint32_t)hi - 0xd800) << 10) + ((uint32_t)lo - 0xdc00));
        }
    }
    /* A lone surrogate, which the guest's str cannot hold: CPython takes it,
     * so an error later in the document is still the answer. */
    sc->lone_surrogate = true;
    return true;
}

/* The string whose quote is at sc->i, copied to b. */
static bool string(scan *sc, buf *b) {
    size_t start = sc->i++;
    size_t run = sc->i;
    if (!put(sc, b, "\"", 1)) return false;
    for (;;) {
        if (sc->i >= sc->n) return fail(sc, "Unterminated string starting at", start);
        uint8_t c = sc->s[sc->i];
        if (c == '"' || c == '\\') {
            if (!put(sc, b, sc->s + run, sc->i - run)) return false;
            if (c == '"') break;
            if (!escape(sc, b, start)) return false;
            run = sc->i;
            continue;
        }
        if (c < 0x20) return fail(sc, "Invalid control character at", sc->i);
        sc->i++;
    }
    sc->i++;
    return put(sc, b, "\"", 1);
}

static bool digits(scan *sc) {
    size_t j = sc->i;
    while (sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9') sc->i++;
    return sc->i > j;
}

/* A number as CPython's scanner reads it: it stops where the grammar does
 * ("01" is 0 then more data). */
static bool number(scan *sc, buf *b) {
    size_t start = sc->i;
    if (sc->s[sc->i] == '-') sc->i++;
    if (sc->i >= sc->n || sc->s[sc->i] < '0' || sc->s[sc->i] > '9') {
        if (sc->n - sc->i >= 8 && !memcmp(sc->s + sc->i, "Infinity", 8)) sc->punt = true;
        return fail(sc, "Expecting value", start);
    }
    if (sc->s[sc->i] == '0') sc->i++;
    else digits(sc);
    if (sc->i + 1 < sc->n && sc->s[sc->i] == '.' && sc->s[sc->i + 1] >= '0' && sc->s[sc->i + 1] <= '9') {
        sc->i++;
        digits(sc);
    }
    if (sc->i < sc->n && (sc->s[sc->i] == 'e' || sc->s[sc->i] == 'E')) {
        size_t e = sc->i++;
        if (sc->i < sc->n && (sc->s[sc->i] == '+' || sc->s[sc->i] == '-')) sc->i++;
        if (!digits(sc)) sc->i = e; /* "1e" is 1, then more data */
    }
    return put(sc, b, sc->s + start, sc->i - start);
}

static bool word(scan *sc, buf *b, const char *w) {
    size_t k = strlen(w);
    if (sc->n - sc->i < k || memcmp(sc->s + sc->i, w, k)) return false;
    sc->i += k;
    return put(sc, b, w, k);
}

/* A scalar at sc->i (after whitespace) into b; '{' and '[' are the caller's. */
static bool scalar(scan *sc, buf *b) {
    if (sc->i >= sc->n) return fail(sc, "Expecting value", sc->i);
    uint8_t c = sc->s[sc->i];
    if (c == '"') return string(sc, b);
    if (c == '-' || (c >= '0' && c <= '9')) return number(sc, b);
    if (word(sc, b, "true") || word(sc, b, "false") || word(sc, b, "null")) return true;
    if (sc->punt) return false;
    if (sc->n - sc->i >= 3 && !memcmp(sc->s + sc->i, "NaN", 3)) sc->punt = true;
    if (sc->n - sc->i >= 8 && !memcmp(sc->s + sc->i, "Infinity", 8)) sc->punt = true;
    return fail(sc, "Expecting value", sc->i);
}

static bool open_level(scan *sc, bool object) {
    if (sc->depth >= JSON_MAX_DEPTH) {
        sc->punt = true; /* the Python parser raises what CPython would */
        return false;
    }
    level *l = &sc->lv[sc->depth++];
    l->keys.len = l->vals.len = l->fills.len = 0;
    l->nvals = 0;
    l->object = object;
    l->has_object = object;
    return true;
}

/* The separator before the next value of l (an object's comes with its key). */
static bool next_value(scan *sc, level *l) {
    return l->nvals++ == 0 || l->object || put(sc, &l->vals, ",", 1);
}

/* Where the container just closed goes in its parent up. */
static bool add_fill(scan *sc, level *up) {
    if (up->fills.len && !put(sc, &up->fills, ",", 1)) return false;
    up->has_object = true;
    if (up->object) return put(sc, &up->fills, up->keys.data + up->key_at, up->keys.len - up->key_at);
    char idx[16];
    int k = snprintf(idx, sizeof idx, "%u", up->nvals - 1);
    return put(sc, &up->fills, idx, (size_t)k);
}

static uint32_t hash_bytes(const char *p, size_t n) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
    return h;
}

/* Room for one more shape: the list and an index at most half full. Not
 * counted as output: there is at most one shape per object, and each
 * object takes 2 bytes of the document or more. */
static bool shapes_grow(scan *sc, shapes *t) {
    if (t->n < t->cap) return true;
    uint32_t cap = t->cap ? t->cap * 2 : 64;
    shape *list = realloc(t->list, (size_t)cap * sizeof *list);
    uint32_t *slot = calloc((size_t)cap * 2, sizeof *slot);
    if (list) t->list = list;
    if (!list || !slot) {
        free(slot);
        sc->punt = true;
        return false;
    }
    free(t->slot);
    t->slot = slot;
    t->mask = cap * 2 - 1;
    t->cap = cap;
    for (uint32_t k = 0; k < t->n; k++) {
        uint32_t j = t->list[k].hash & t->mask;
        while (slot[j]) j = (j + 1) & t->mask;
        slot[j] = k + 1;
    }
    return true;
}

/* The number of the shape whose keys are the text k (added if new), or -1. */
static long shape_of(scan *sc, const char *k, size_t n) {
    shapes *t = &sc->shapes;
    uint32_t h = hash_bytes(k, n);
    if (!spend(sc, n) || !shapes_grow(sc, t)) return -1; /* the hash and compare read k */
    uint32_t j = h & t->mask;
    for (; t->slot[j]; j = (j + 1) & t->mask) {
        const shape *e = &t->list[t->slot[j] - 1];
        if (e->hash == h && e->len == n && !memcmp(t->text.data + e->at, k, n)) return (long)t->slot[j] - 1;
    }
    if ((t->text.len && !put(sc, &t->text, ",", 1)) || !put(sc, &t->text, "[", 1)) return -1;
    t->list[t->n] = (shape){t->text.len, n, h};
    if (!put(sc, &t->text, k, n) || !put(sc, &t->text, "]", 1)) return -1;
    t->slot[j] = ++t->n;
    return (long)t->n - 1;
}

/* The opening of an entry for l: "[" then an object's "shape,". */
static bool entry_head(scan *sc, buf *t, const level *l) {
    if (!put(sc, t, "[", 1)) return false;
    if (!l->object) return true;
    long k = shape_of(sc, l->keys.data ? l->keys.data : "", l->keys.len);
    char idx[24];
    int w = k < 0 ? 0 : snprintf(idx, sizeof idx, "%ld,", k);
    return k >= 0 && put(sc, t, idx, (size_t)w);
}

/* Close the innermost container: into the table if it holds an object,
 * else inline into its parent (or the root text). */
static bool close_level(scan *sc, buf *root) {
    level *l = &sc->lv[--sc->depth];
    level *up = sc->depth ? &sc->lv[sc->depth - 1] : NULL;
    buf *dst = up ? &up->vals : root;
    if (!l->has_object) return put(sc, dst, "[", 1) && put(sc, dst, l->vals.data, l->vals.len) && put(sc, dst, "]", 1);
    if (up && !add_fill(sc, up)) return false;
    buf *t = &sc->table;
    return (t->len == 0 || put(sc, t, ",", 1)) && entry_head(sc, t, l) && puts_(sc, t, l->object ? "{" : "[") && put(sc, t, l->vals.data, l->vals.len) &&
           puts_(sc, t, l->object ? "},[" : "],[") && put(sc, t, l->fills.data, l->fills.len) &&
           puts_(sc, t, "]]") && puts_(sc, dst, "null");
}

/* A key of the object l at sc->i (after whitespace), then its ':'. */
static bool key(scan *sc, level *l) {
    if (sc->i >= sc->n || sc->s[sc->i] != '"')
        return fail(sc, "Expecting property name enclosed in double quotes", sc->i);
    if (l->nvals && !(put(sc, &l->keys, ",", 1) && put(sc, &l->vals, ",", 1))) return false;
    l->key_at = l->keys.len;
    if (!string(sc, &l->keys)) return false;
    skip_ws(sc);
    if (sc->i >= sc->n || sc->s[sc->i] != ':') return fail(sc, "Expecting ':' delimiter", sc->i);
    sc->i++;
    /* the object itself: "key":value pairs */
    return put(sc, &l->vals, l->keys.data + l->key_at, l->keys.len - l->key_at) && put(sc, &l->vals, ":", 1);
}

/* After a value inside l: ',' (then the next key of an object), or the
 * closing bracket. *closed says which. */
static bool after_value(scan *sc, level *l, bool *closed) {
    skip_ws(sc);
    uint8_t c = sc->i < sc->n ? sc->s[sc->i] : 0;
    *closed = c == (l->object ? '}' : ']');
    if (*closed || c == ',') {
        sc->i++;
        if (*closed || !l->object) return true;
        skip_ws(sc);
        return key(sc, l);
    }
    return fail(sc, "Expecting ',' delimiter", sc->i);
}

/* The document, with containers handled iteratively (depth is capped). */
static bool document(scan *sc, buf *root) {
    skip_ws(sc);
    for (;;) {
        level *l = sc->depth ? &sc->lv[sc->depth - 1] : NULL;
        buf *dst = l ? &l->vals : root;
        if (l) skip_ws(sc);
        if (l && !next_value(sc, l)) return false;
        uint8_t c = sc->i < sc->n ? sc->s[sc->i] : 0;
        if (c == '{' || c == '[') {
            bool object = c == '{';
            sc->i++;
            if (!open_level(sc, object)) return false;
            skip_ws(sc);
            if (sc->i < sc->n && sc->s[sc->i] == (object ? '}' : ']')) {
                sc->i++;
                if (!close_level(sc, root)) return false;
            } else {
                if (object && !key(sc, &sc->lv[sc->depth - 1])) return false;
                continue;
            }
        } else if (!scalar(sc, dst)) {
            return false;
        }
        /* a value is done: close what it finishes */
        for (;;) {
            if (!sc->depth) {
                skip_ws(sc);
                return sc->i == sc->n || fail(sc, "Extra data", sc->i);
            }
            bool closed;
            if (!after_value(sc, &sc->lv[sc->depth - 1], &closed)) return false;
            if (!closed) break;
            if (!close_level(sc, root)) return false;
        }
    }
}

/* Characters before byte offset pos (the text is UTF-8). */
static size_t char_pos(const uint8_t *s, size_t pos) {
    size_t n = 0;
    for (size_t k = 0; k < pos; k++) n += (s[k] & 0xc0) != 0x80;
    return n;
}

static void level_free(level *l) {
    free(l->keys.data);
    free(l->vals.data);
    free(l->fills.data);
}

/* The answer for s in *out (malloc'd, *out_len bytes); *work: the bytes
 * written on the way. */
static int json_scan(const uint8_t *s, size_t n, char **out, size_t *out_len, size_t *work) {
    scan sc = {.s = s, .n = n, .limit = n * JSON_OUT_FACTOR + 64};
    buf root = {0}, res = {0};
    sc.lv = calloc(JSON_MAX_DEPTH, sizeof *sc.lv);
    bool ok = false;
    if (!sc.lv) sc.punt = true;
    else if (n >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) fail(&sc, "Unexpected UTF-8 BOM (decode using utf-8-sig)", 0);
    else ok = document(&sc, &root);
    if (ok && sc.lone_surrogate) {
        ok = false;
        sc.punt = true;
    }
    if (ok) {
        /* the answer is one more copy */
        sc.limit = sc.written + root.len + sc.table.len + sc.shapes.text.len + 16;
        ok = puts_(&sc, &res, "[") && put(&sc, &res, root.data, root.len) && puts_(&sc, &res, ",[") &&
             put(&sc, &res, sc.table.data, sc.table.len) && puts_(&sc, &res, "],[") &&
             put(&sc, &res, sc.shapes.text.data, sc.shapes.text.len) && puts_(&sc, &res, "]]");
    } else if (!sc.punt && sc.err) {
        char head[32];
        int k = snprintf(head, sizeof head, "!%zu ", char_pos(s, sc.err_pos));
        ok = put(&sc, &res, head, (size_t)k) && puts_(&sc, &res, sc.err);
    }
    if (!ok) {
        res.len = 0;
        sc.limit = sc.written + 1;
        sc.punt = false;
        if (!put(&sc, &res, "?", 1)) {
            free(res.data);
            res.data = NULL;
        }
    }
    for (int d = 0; sc.lv && d < JSON_MAX_DEPTH; d++) level_free(&sc.lv[d]);
    free(sc.lv);
    free(sc.table.data);
    free(sc.shapes.text.data);
    free(sc.shapes.list);
    free(sc.shapes.slot);
    free(root.data);
    *out = res.data;
    *out_len = res.len;
    *work = sc.written;
    return res.data ? 0 : -1;
}

void mp_json_bridge(airlock_vm *vm, uint32_t arg, uint32_t out) {
    size_t n;
    const uint8_t *text = mp_bridge_text(vm, arg, &n);
    char *res = NULL;
    size_t len = 0, work = 0;
    int rc = text ? json_scan(text, n, &res, &len, &work) : -1;
    if (text) mp_bridge_charge(vm, (uint64_t)n + work);
    if (rc != 0 || len >= UINT32_MAX) {
        free(res);
        mp_bridge_put(vm, out, SLOT_JS_UNDEFINED, 0, 0); /* json.py then parses in Python */
        return;
    }
    mp_bridge_put_str(vm, out, res, len);
    free(res);
}
