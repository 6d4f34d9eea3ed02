/*
 * codec.c - decode host calls written by the guest, encode results for it.
 *
 * The decoder reads bytes that the guest controls completely (guest code
 * can call the bridge directly with any str), so it is written as a parser
 * of hostile input: every length is checked against what is left before it
 * is used, nothing is allocated in proportion to a count that has not been
 * backed by input bytes, recursion is bounded by max_depth, and the total
 * number of values by max_items.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/codec.h"

#define HARD_MAX_DEPTH 100 /* whatever the configuration says: bounds C recursion */

typedef struct reader {
    const uint8_t *p, *end;
    const codec_limits *lim;
    uint64_t items;
    codec_error *err;
} reader;

static bool fail(reader *r, const char *type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(reader *r, const char *type, const char *fmt, ...) {
    if (r->err->type) return false; /* keep the first error */
    r->err->type = type;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
    va_end(ap);
    return false;
}

static bool malformed(reader *r) { return fail(r, "ValueError", "malformed host call"); }

static size_t left(const reader *r) { return (size_t)(r->end - r->p); }

/* An unsigned decimal count ended by term, at most max. */
static bool read_count(reader *r, char term, uint64_t max, uint64_t *out) {
    uint64_t v = 0;
    const uint8_t *start = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        v = v * 10 + (uint64_t)(*r->p++ - '0');
        if (v > max) return malformed(r);
        if (r->p - start > 20) return malformed(r);
    }
    if (r->p == start || r->p >= r->end || *r->p != term) return malformed(r);
    r->p++;
    *out = v;
    return true;
}

static int hexval(uint8_t c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* n bytes from 2n hex digits; false if any digit is not one. */
static bool unhex(const uint8_t *src, size_t n, uint8_t *dst) {
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(src[2 * i]), lo = hexval(src[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        dst[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static bool count_item(reader *r) {
    if (++r->items > r->lim->max_items)
        return fail(r, "ValueError", "too many values in the %s (the cap is %llu)", r->lim->what,
                    (unsigned long long)r->lim->max_items);
    return true;
}

static airlock_value *read_value(reader *r, uint32_t depth);

static airlock_value *read_int(reader *r) {
    bool neg = r->p < r->end && *r->p == '-';
    if (neg) r->p++;
    uint64_t mag = 0;
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    const uint8_t *start = r->p;
    bool over = false;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
        unsigned d = (unsigned)(*r->p++ - '0');
        if (!over && mag > (limit - d) / 10) over = true;
        if (!over) mag = mag * 10 + d;
    }
    if (r->p == start || r->p >= r->end || *r->p != ';') return malformed(r), NULL;
    r->p++;
    if (over) return fail(r, "OverflowError", "int too large to pass to the host (it must fit in 64 bits)"), NULL;
    int64_t v = neg ? (mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
    airlock_value *out = airlock_value_new_int(v);
    if (!out) fail(r, "MemoryError", "out of host memory");
    return out;
}

static airlock_value *read_float(reader *r) {
    uint8_t b[8];
    if (left(r) < 16 || !unhex(r->p, 8, b)) return malformed(r), NULL;
    r->p += 16;
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--) bits = bits << 8 | b[i];
    double d;
    memcpy(&d, &bits, sizeof d);
    airlock_value *out = airlock_value_new_float(d);
    if (!out) fail(r, "MemoryError", "out of host memory");
    return out;
}

/* After "s": count ":" and count code points. */
static airlock_value *read_str(reader *r) {
    uint64_t n;
    if (!read_count(r, ':', left(r), &n)) return NULL; /* each code point is >= 1 byte */
    const uint8_t *start = r->p;
    for (uint64_t i = 0; i < n; i++) {
        size_t k = value_utf8_seq(r->p, left(r));
        if (!k) return fail(r, "ValueError", "invalid UTF-8 in a host call"), NULL;
        r->p += k;
    }
    size_t len = (size_t)(r->p - start);
    char *data = malloc(len + 1);
    if (!data) return fail(r, "MemoryError", "out of host memory"), NULL;
    memcpy(data, start, len);
    data[len] = '\0';
    airlock_value *v = value_take_str(AIRLOCK_STR, data, len);
    if (!v) fail(r, "MemoryError", "out of host memory");
    return v;
}

static airlock_value *read_bytes(reader *r) {
    uint64_t n;
    if (!read_count(r, ':', left(r) / 2, &n)) return NULL;
    /* read_count's bound was taken before its own digits and ':' were
     * consumed: check the hex digits are really there. */
    if (n > left(r) / 2) return malformed(r), NULL;
    char *data = malloc((size_t)n + 1);
    if (!data) return fail(r, "MemoryError", "out of host memory"), NULL;
    if (!unhex(r->p, (size_t)n, (uint8_t *)data)) {
        free(data);
        return malformed(r), NULL;
    }
    r->p += 2 * n;
    data[n] = '\0';
    airlock_value *v = value_take_str(AIRLOCK_BYTES, data, (size_t)n);
    if (!v) fail(r, "MemoryError", "out of host memory");
    return v;
}

static bool deeper(reader *r, uint32_t depth) {
    uint32_t max = r->lim->max_depth < HARD_MAX_DEPTH ? r->lim->max_depth : HARD_MAX_DEPTH;
    if (depth >= max)
        return fail(r, "ValueError", "the %s is nested too deeply (the cap is %u)", r->lim->what, max);
    return true;
}

/* After "l" or "d": the items of a container of the given kind. */
static airlock_value *read_container(reader *r, airlock_kind kind, uint32_t depth) {
    if (!deeper(r, depth)) return NULL;
    uint64_t n;
    /* each list item takes >= 1 byte, each dict entry >= 4 ("s0:" "N") */
    if (!read_count(r, ':', kind == AIRLOCK_LIST ? left(r) : left(r) / 4, &n)) return NULL;
    airlock_value *c = kind == AIRLOCK_LIST ? airlock_value_new_list() : airlock_value_new_dict();
    if (!c) return fail(r, "MemoryError", "out of host memory"), NULL;
    for (uint64_t i = 0; i < n; i++) {
        airlock_value *key = NULL;
        if (kind == AIRLOCK_DICT) {
            if (r->p >= r->end || *r->p != 's') {
                fail(r, "TypeError", "dict keys passed to the host must be str");
                break;
            }
            r->p++;
            if (!count_item(r) || !(key = read_str(r))) break;
        }
        airlock_value *item = read_value(r, depth + 1);
        if (!item || !value_push(c, key, item)) {
            if (item) fail(r, "MemoryError", "out of host memory");
            airlock_value_free(key);
            airlock_value_free(item);
            break;
        }
    }
    if (r->err->type) {
        airlock_value_free(c);
        return NULL;
    }
    return c;
}

static airlock_value *read_value(reader *r, uint32_t depth) {
    if (r->p >= r->end) return malformed(r), NULL;
    if (!count_item(r)) return NULL;
    uint8_t tag = *r->p++;
    airlock_value *v = NULL;
    switch (tag) {
    case 'N': v = airlock_value_new_none(); break;
    case 'T': v = airlock_value_new_bool(1); break;
    case 'F': v = airlock_value_new_bool(0); break;
    case 'i': return read_int(r);
    case 'f': return read_float(r);
    case 's': return read_str(r);
    case 'b': return read_bytes(r);
    case 'l': return read_container(r, AIRLOCK_LIST, depth);
    case 'd': return read_container(r, AIRLOCK_DICT, depth);
    default: return malformed(r), NULL;
    }
    if (!v) fail(r, "MemoryError", "out of host memory");
    return v;
}

bool codec_decode_call(const uint8_t *blob, size_t len, const codec_limits *lim, codec_call *out,
                       codec_error *err) {
    memset(out, 0, sizeof *out);
    err->type = NULL;
    err->message[0] = '\0';
    reader r = {blob, blob + len, lim, 0, err};
    if (len > lim->max_bytes)
        return fail(&r, "ValueError", "arguments of a host call are too large (%zu bytes; the cap is %llu)", len,
                    (unsigned long long)lim->max_bytes);
    uint64_t fp, fid;
    if (!read_count(&r, ':', UINT32_MAX, &fp) || !read_count(&r, ':', UINT32_MAX, &fid)) return false;
    out->fingerprint = (uint32_t)fp;
    out->fid = (uint32_t)fid;
    /* The top-level list and dict are the call's own, not nesting. */
    if (r.p >= r.end || *r.p != 'l') return malformed(&r);
    r.p++;
    out->args = read_container(&r, AIRLOCK_LIST, 0);
    if (!out->args) return false;
    if (r.p >= r.end || *r.p != 'd') {
        codec_call_free(out);
        return malformed(&r);
    }
    r.p++;
    out->kwargs = read_container(&r, AIRLOCK_DICT, 0);
    if (!out->kwargs || r.p != r.end) {
        codec_call_free(out);
        return r.err->type ? false : malformed(&r);
    }
    return true;
}

void codec_call_free(codec_call *c) {
    airlock_value_free(c->args);
    airlock_value_free(c->kwargs);
    c->args = c->kwargs = NULL;
}

airlock_value *codec_decode_value(const uint8_t *blob, size_t len, const codec_limits *lim, codec_error *err) {
    err->type = NULL;
    err->message[0] = '\0';
    reader r = {blob, blob + len, lim, 0, err};
    if (len > lim->max_bytes)
        return fail(&r, "ValueError", "the %s is too large (%zu bytes; the cap is %llu)", lim->what, len,
                    (unsigned long long)lim->max_bytes), NULL;
    airlock_value *v = read_value(&r, 0);
    if (v && r.p != r.end) {
        airlock_value_free(v);
        return malformed(&r), NULL;
    }
    return v;
}

/* ---- encoding ------------------------------------------------------------------ */

bool codec_buf_put(codec_buf *b, const void *p, size_t n) {
    if (n > SIZE_MAX - b->len - 1) return false;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
        char *d = realloc(b->data, cap);
        if (!d) return false;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

void codec_buf_free(codec_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

typedef struct writer {
    codec_buf *out;
    const codec_limits *lim;
    bool marked;         /* a marker was written: the guest must undo them */
    codec_error *err;
} writer;

static bool wfail(writer *w, const char *type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool wfail(writer *w, const char *type, const char *fmt, ...) {
    if (!w->err->type) {
        w->err->type = type;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->err->message, sizeof w->err->message, fmt, ap);
        va_end(ap);
    }
    return false;
}

static bool put(writer *w, const void *p, size_t n) {
    if (w->out->len + n > w->lim->max_bytes)
        return wfail(w, "ValueError", "the %s is too large (the cap is %llu bytes)", w->lim->what,
                     (unsigned long long)w->lim->max_bytes);
    return codec_buf_put(w->out, p, n) || wfail(w, "MemoryError", "out of host memory");
}

static bool puts_(writer *w, const char *s) { return put(w, s, strlen(s)); }

static bool put_hex(writer *w, const uint8_t *p, size_t n) {
    static const char digits[] = "0123456789abcdef";
    char chunk[512];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        chunk[k++] = digits[p[i] >> 4];
        chunk[k++] = digits[p[i] & 15];
        if (k == sizeof chunk && !put(w, chunk, k)) return false;
        if (k == sizeof chunk) k = 0;
    }
    return put(w, chunk, k);
}

/* A JSON string; the text is valid UTF-8 already (checked when made). */
static bool put_json_str(writer *w, const char *s, size_t len) {
    if (!put(w, "\"", 1)) return false;
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        if (!put(w, s + run, i - run)) return false;
        char esc[8];
        if (c == '"' || c == '\\') snprintf(esc, sizeof esc, "\\%c", c);
        else snprintf(esc, sizeof esc, "\\u%04x", c);
        if (!puts_(w, esc)) return false;
        run = i + 1;
    }
    return put(w, s + run, len - run) && put(w, "\"", 1);
}

/* Shortest "%.*g" that reads back as the same double, always with a float
 * marker so that JSON gives the guest a float, not an int. */
static bool put_float(writer *w, double d) {
    if (isnan(d)) {
        w->marked = true;
        return puts_(w, "{\"\\u0000\":\"nan\"}");
    }
    if (isinf(d)) return puts_(w, d > 0 ? "1e999" : "-1e999");
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, d);
        if (strtod(buf, NULL) == d) break;
    }
    if (!strpbrk(buf, ".eE")) strcat(buf, ".0");
    return puts_(w, buf);
}

static bool put_json(writer *w, const airlock_value *v, uint32_t depth);

static bool put_container(writer *w, const airlock_value *v, uint32_t depth) {
    uint32_t max = w->lim->max_depth < HARD_MAX_DEPTH ? w->lim->max_depth : HARD_MAX_DEPTH;
    if (depth >= max) return wfail(w, "ValueError", "the %s is nested too deeply (the cap is %u)", w->lim->what, max);
    bool dict = v->kind == AIRLOCK_DICT;
    if (!put(w, dict ? "{" : "[", 1)) return false;
    for (size_t i = 0; i < v->u.c.len; i++) {
        if (i && !put(w, ",", 1)) return false;
        if (dict) {
            const airlock_value *k = v->u.c.keys[i];
            if (k->u.s.len == 1 && k->u.s.data[0] == '\0')
                return wfail(w, "ValueError", "the dict key \"\\0\" is reserved (it cannot cross)");
            if (!put_json_str(w, k->u.s.data, k->u.s.len) || !put(w, ":", 1)) return false;
        }
        if (!put_json(w, v->u.c.items[i], depth + 1)) return false;
    }
    return put(w, dict ? "}" : "]", 1);
}

static bool put_json(writer *w, const airlock_value *v, uint32_t depth) {
    char num[32];
    switch (v->kind) {
    case AIRLOCK_NONE: return puts_(w, "null");
    case AIRLOCK_BOOL: return puts_(w, v->u.b ? "true" : "false");
    case AIRLOCK_INT:
        snprintf(num, sizeof num, "%lld", (long long)v->u.i);
        return puts_(w, num);
    case AIRLOCK_FLOAT: return put_float(w, v->u.f);
    case AIRLOCK_STR: return put_json_str(w, v->u.s.data, v->u.s.len);
    case AIRLOCK_BYTES:
        w->marked = true;
        return puts_(w, "{\"\\u0000\":\"b") && put_hex(w, (const uint8_t *)v->u.s.data, v->u.s.len) &&
               puts_(w, "\"}");
    case AIRLOCK_LIST:
    case AIRLOCK_DICT: return put_container(w, v, depth);
    }
    return wfail(w, "RuntimeError", "unknown value kind");
}

static bool poisoned(const airlock_value *v, codec_error *err) {
    switch (value_poison(v)) {
    case VALUE_OK: return false;
    case VALUE_BAD_UTF8:
        err->type = "ValueError";
        snprintf(err->message, sizeof err->message, "the host function made a string that is not valid UTF-8");
        return true;
    case VALUE_MISUSE:
        err->type = "RuntimeError";
        snprintf(err->message, sizeof err->message, "the host function built its result wrongly");
        return true;
    default:
        err->type = "MemoryError";
        snprintf(err->message, sizeof err->message, "the host ran out of memory making the result");
        return true;
    }
}

bool codec_encode_result(const airlock_value *v, const codec_limits *lim, codec_buf *out, codec_error *err) {
    err->type = NULL;
    err->message[0] = '\0';
    out->len = 0;
    if (poisoned(v, err)) return false;
    writer w = {out, lim, false, err};
    switch (v->kind) {
    case AIRLOCK_STR: return put(&w, "S", 1) && put(&w, v->u.s.data, v->u.s.len);
    case AIRLOCK_BYTES: return put(&w, "B", 1) && put_hex(&w, (const uint8_t *)v->u.s.data, v->u.s.len);
    default:
        if (!put(&w, "J", 1) || !put_json(&w, v, 0)) return false;
        if (w.marked) out->data[0] = 'M';
        return true;
    }
}

bool codec_encode_scalar(const airlock_value *v, codec_buf *out) {
    char text[24];
    out->len = 0;
    switch (airlock_value_kind(v)) {
    case AIRLOCK_NONE: return codec_buf_put(out, "N", 1);
    case AIRLOCK_BOOL: return codec_buf_put(out, airlock_value_bool(v) ? "T" : "F", 1);
    case AIRLOCK_INT:
        snprintf(text, sizeof text, "i%lld", (long long)airlock_value_int(v));
        return codec_buf_put(out, text, strlen(text));
    case AIRLOCK_FLOAT: {
        /* the IEEE 754 bytes, little-endian, as the call codec's "f" */
        double d = airlock_value_float(v);
        uint8_t b[8];
        memcpy(b, &d, 8);
        text[0] = 'f';
        for (int i = 0; i < 8; i++) snprintf(text + 1 + 2 * i, 3, "%02x", b[i]);
        return codec_buf_put(out, text, 17);
    }
    default: return false;
    }
}

bool codec_encode_error(const char *type, const char *message, codec_buf *out) {
    out->len = 0;
    size_t mlen = strlen(message);
    if (mlen > 4000) mlen = 4000;
    if (!codec_buf_put(out, "E", 1) || !codec_buf_put(out, type, strlen(type)) || !codec_buf_put(out, "\n", 1))
        return false;
    /* Keep valid UTF-8 only: the guest refuses a str that is not. */
    const uint8_t *m = (const uint8_t *)message;
    size_t i = 0;
    while (i < mlen) {
        size_t k = m[i] < 0x80 ? 1 : value_utf8_seq(m + i, mlen - i);
        if (!codec_buf_put(out, k ? (const char *)m + i : "?", k ? k : 1)) return false;
        i += k ? k : 1;
    }
    return true;
}
