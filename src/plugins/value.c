/*
 * value.c - the value tree that crosses the host-call boundary.
 *
 * Every node is one malloc; containers own their children. Strings are
 * validated once, when they are made, so the encoder can copy them to the
 * guest without a second look. Ownership is strict (a node has at most one
 * parent) so that freeing never double-frees and encoding never loops.
 */
#include <stdlib.h>
#include <string.h>

#include "plugins/value.h"

/* ---- UTF-8 ------------------------------------------------------------------ */

size_t value_utf8_seq(const uint8_t *s, size_t avail) {
    if (avail == 0) return 0;
    uint8_t c = s[0];
    if (c < 0x80) return 1;
    size_t n;
    uint32_t cp;
    if (c >= 0xc2 && c <= 0xdf) n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) n = 4, cp = c & 0x07;
    else return 0; /* continuation byte, overlong lead (c0, c1) or > f4 */
    if (avail < n) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return n;
}

bool value_utf8_valid(const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = value_utf8_seq(s + i, len - i);
        if (!n) return false;
        i += n;
    }
    return true;
}

/* ---- constructors ------------------------------------------------------------- */

static airlock_value *node(airlock_kind kind) {
    airlock_value *v = calloc(1, sizeof *v);
    if (v) v->kind = kind;
    return v;
}

airlock_value *airlock_value_new_none(void) { return node(AIRLOCK_NONE); }

airlock_value *airlock_value_new_bool(int b) {
    airlock_value *v = node(AIRLOCK_BOOL);
    if (v) v->u.b = b != 0;
    return v;
}

airlock_value *airlock_value_new_int(int64_t i) {
    airlock_value *v = node(AIRLOCK_INT);
    if (v) v->u.i = i;
    return v;
}

airlock_value *airlock_value_new_float(double f) {
    airlock_value *v = node(AIRLOCK_FLOAT);
    if (v) v->u.f = f;
    return v;
}

airlock_value *value_take_str(airlock_kind kind, char *data, size_t len) {
    airlock_value *v = node(kind);
    if (!v) {
        free(data);
        return NULL;
    }
    v->u.s.data = data;
    v->u.s.len = len;
    return v;
}

static airlock_value *copy_bytes(airlock_kind kind, const void *data, size_t len) {
    if (len == SIZE_MAX || (len && !data)) return NULL;
    char *p = malloc(len + 1);
    if (!p) return NULL;
    if (len) memcpy(p, data, len);
    p[len] = '\0';
    return value_take_str(kind, p, len);
}

airlock_value *airlock_value_new_strn(const char *s, size_t len) {
    if (!s) return NULL;
    if (value_utf8_valid((const uint8_t *)s, len)) return copy_bytes(AIRLOCK_STR, s, len);
    /* An empty str that remembers why: the guest gets a ValueError. */
    airlock_value *v = copy_bytes(AIRLOCK_STR, "", 0);
    if (v) v->poison = VALUE_BAD_UTF8;
    return v;
}

airlock_value *airlock_value_new_str(const char *s) { return s ? airlock_value_new_strn(s, strlen(s)) : NULL; }

airlock_value *airlock_value_new_bytes(const void *data, size_t len) { return copy_bytes(AIRLOCK_BYTES, data, len); }

airlock_value *airlock_value_new_list(void) { return node(AIRLOCK_LIST); }
airlock_value *airlock_value_new_dict(void) { return node(AIRLOCK_DICT); }

void airlock_value_free(airlock_value *v) {
    if (!v) return;
    if (v->kind == AIRLOCK_STR || v->kind == AIRLOCK_BYTES) free(v->u.s.data);
    if (v->kind == AIRLOCK_LIST || v->kind == AIRLOCK_DICT) {
        for (size_t i = 0; i < v->u.c.len; i++) {
            airlock_value_free(v->u.c.items[i]);
            if (v->u.c.keys) airlock_value_free(v->u.c.keys[i]);
        }
        free(v->u.c.items);
        free(v->u.c.keys);
    }
    free(v);
}

/* ---- containers ---------------------------------------------------------------- */

static bool grow(airlock_value *c) {
    if (c->u.c.len < c->u.c.cap) return true;
    size_t cap = c->u.c.cap ? c->u.c.cap * 2 : 4;
    if (cap > SIZE_MAX / 2 / sizeof(airlock_value *)) return false;
    airlock_value **items = realloc(c->u.c.items, cap * sizeof *items);
    if (!items) return false;
    c->u.c.items = items;
    if (c->kind == AIRLOCK_DICT) {
        airlock_value **keys = realloc(c->u.c.keys, cap * sizeof *keys);
        if (!keys) return false;
        c->u.c.keys = keys;
    }
    c->u.c.cap = cap;
    return true;
}

bool value_push(airlock_value *c, airlock_value *key, airlock_value *item) {
    if (!grow(c)) return false;
    item->parent = c;
    if (key) {
        key->parent = c;
        c->u.c.keys[c->u.c.len] = key;
    }
    c->u.c.items[c->u.c.len++] = item;
    if (item->poison && !c->poison) c->poison = item->poison;
    return true;
}

/* item may become a child of c: no parent yet, and not c or an ancestor of
 * c (that would make a cycle). */
static bool adoptable(const airlock_value *c, const airlock_value *item) {
    if (item->parent) return false;
    for (const airlock_value *a = c; a; a = a->parent)
        if (a == item) return false;
    return true;
}

static void poison(airlock_value *c, int why) {
    for (airlock_value *a = c; a; a = a->parent)
        if (!a->poison) a->poison = (uint8_t)why;
}

int airlock_list_append(airlock_value *list, airlock_value *item) {
    if (!list || list->kind != AIRLOCK_LIST) {
        if (item && !item->parent) airlock_value_free(item);
        return AIRLOCK_MISUSE;
    }
    if (!item) {
        poison(list, VALUE_NOMEM);
        return AIRLOCK_NOMEM;
    }
    if (!adoptable(list, item)) {
        poison(list, VALUE_MISUSE);
        return AIRLOCK_MISUSE;
    }
    if (!value_push(list, NULL, item)) {
        airlock_value_free(item);
        poison(list, VALUE_NOMEM);
        return AIRLOCK_NOMEM;
    }
    if (item->poison) poison(list, item->poison);
    return AIRLOCK_OK;
}

int airlock_dict_set(airlock_value *dict, const char *key, airlock_value *item) {
    if (!dict || dict->kind != AIRLOCK_DICT) {
        if (item && !item->parent) airlock_value_free(item);
        return AIRLOCK_MISUSE;
    }
    airlock_value *k = key ? airlock_value_new_str(key) : NULL;
    int why = !item ? VALUE_NOMEM : !k ? (key ? VALUE_BAD_UTF8 : VALUE_MISUSE) : VALUE_OK;
    if (item && !why && !adoptable(dict, item)) {
        airlock_value_free(k);
        poison(dict, VALUE_MISUSE);
        return AIRLOCK_MISUSE;
    }
    if (!why && !value_push(dict, k, item)) why = VALUE_NOMEM;
    if (why) {
        airlock_value_free(k);
        if (item && !item->parent) airlock_value_free(item);
        poison(dict, why);
        return why == VALUE_NOMEM ? AIRLOCK_NOMEM : AIRLOCK_MISUSE;
    }
    if (item->poison) poison(dict, item->poison);
    return AIRLOCK_OK;
}

int value_poison(const airlock_value *v) { return v ? v->poison : VALUE_NOMEM; }

airlock_value *airlock_value_copy(const airlock_value *v) {
    if (!v) return NULL;
    switch (v->kind) {
    case AIRLOCK_STR:
    case AIRLOCK_BYTES: return copy_bytes(v->kind, v->u.s.data, v->u.s.len);
    case AIRLOCK_LIST:
    case AIRLOCK_DICT: {
        airlock_value *c = node(v->kind);
        for (size_t i = 0; c && i < v->u.c.len; i++) {
            airlock_value *item = airlock_value_copy(v->u.c.items[i]);
            airlock_value *key = v->kind == AIRLOCK_DICT ? airlock_value_copy(v->u.c.keys[i]) : NULL;
            if (!item || (v->kind == AIRLOCK_DICT && !key) || !value_push(c, key, item)) {
                airlock_value_free(item);
                airlock_value_free(key);
                poison(c, VALUE_NOMEM);
            }
        }
        return c;
    }
    default: {
        airlock_value *c = node(v->kind);
        if (c) c->u = v->u;
        return c;
    }
    }
}

/* ---- getters ------------------------------------------------------------------------ */

airlock_kind airlock_value_kind(const airlock_value *v) { return v ? v->kind : AIRLOCK_NONE; }
int airlock_value_bool(const airlock_value *v) { return v && v->kind == AIRLOCK_BOOL ? v->u.b : 0; }
int64_t airlock_value_int(const airlock_value *v) { return v && v->kind == AIRLOCK_INT ? v->u.i : 0; }

double airlock_value_float(const airlock_value *v) {
    if (v && v->kind == AIRLOCK_FLOAT) return v->u.f;
    if (v && v->kind == AIRLOCK_INT) return (double)v->u.i;
    return 0.0;
}

const char *airlock_value_str(const airlock_value *v, size_t *len) {
    bool ok = v && v->kind == AIRLOCK_STR;
    if (len) *len = ok ? v->u.s.len : 0;
    return ok ? v->u.s.data : NULL;
}

const uint8_t *airlock_value_bytes(const airlock_value *v, size_t *len) {
    bool ok = v && v->kind == AIRLOCK_BYTES;
    if (len) *len = ok ? v->u.s.len : 0;
    return ok ? (const uint8_t *)v->u.s.data : NULL;
}

size_t airlock_value_len(const airlock_value *v) {
    return v && (v->kind == AIRLOCK_LIST || v->kind == AIRLOCK_DICT) ? v->u.c.len : 0;
}

const airlock_value *airlock_value_item(const airlock_value *v, size_t i) {
    return i < airlock_value_len(v) ? v->u.c.items[i] : NULL;
}

const char *airlock_value_key(const airlock_value *v, size_t i) {
    return v && v->kind == AIRLOCK_DICT && i < v->u.c.len ? v->u.c.keys[i]->u.s.data : NULL;
}

const airlock_value *airlock_value_get(const airlock_value *v, const char *key) {
    if (!v || v->kind != AIRLOCK_DICT || !key) return NULL;
    size_t klen = strlen(key);
    /* from the end: the last of duplicate keys wins, as in a Python dict */
    for (size_t i = v->u.c.len; i-- > 0;) {
        const airlock_value *k = v->u.c.keys[i];
        if (k->u.s.len == klen && memcmp(k->u.s.data, key, klen) == 0) return v->u.c.items[i];
    }
    return NULL;
}
