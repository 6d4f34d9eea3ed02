/*
 * sqlite_func.c - our own trim, ltrim, rtrim, instr, replace, like and glob,
 * and a guard around printf, on every granted connection, in place of
 * SQLite's built-ins.
 *
 * Why: the progress handler that enforces the sandbox's deadline runs
 * between VM steps, never inside one function call, and SQLite's versions
 * of these take time that grows with the product of their arguments' sizes
 * (ltrim(x, y) compares every leading character of x with every character
 * of y; instr and replace try the needle at every position; like and glob
 * retry the rest of the pattern after each '%'). At the 2 MiB value cap one
 * call ran for an hour. Here:
 * - trim, instr and replace are linear: a sorted set of the characters to
 *   trim, and glibc's memmem (which is linear) for the searches;
 * - like and glob cost up to string length x pattern length (the pattern
 *   is capped by SQLITE_LIMIT_LIKE_PATTERN_LENGTH), so they check the
 *   deadline and interrupt as they go and stop the statement with
 *   SQLITE_INTERRUPT, which sq_raise() reports like the progress handler.
 * Results match SQLite's for valid UTF-8 (tests/cli/sqlite.sh compares
 * them); like keeps SQLite's rules: ASCII-only case folding, ESCAPE, and
 * no match for a blob when the library was built with
 * SQLITE_LIKE_DOESNT_MATCH_BLOBS. The price: LIKE no longer uses an index
 * for a constant prefix (SQLite does that only for its own like).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/sqlite_int.h"

#define FN_FLAGS (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)
#define MATCH_STEPS_PER_CHECK 4096 /* pattern atoms tried between deadline checks */

static bool is_cont(unsigned char b) { return (b & 0xc0) == 0x80; }

/* Length of the character at p (at most n bytes), as SQLite counts one: a
 * lead byte from 0xc0 takes every continuation byte after it. */
static size_t char_len(const unsigned char *p, size_t n) {
    size_t len = 1;
    if (p[0] >= 0xc0)
        while (len < n && is_cont(p[len])) len++;
    return len;
}

/* Start of the last character of p[0..n) (n > 0). */
static size_t last_char_start(const unsigned char *p, size_t n) {
    size_t i = n - 1;
    while (i > 0 && is_cont(p[i])) i--;
    return p[i] >= 0xc0 || i == n - 1 ? i : n - 1;
}

/* ---- trim, ltrim, rtrim ------------------------------------------------------ */

/* The characters to trim, sorted by length then bytes: offsets into base. */
typedef struct {
    const unsigned char *base;
    size_t len;      /* bytes of base */
    uint32_t *at;
    size_t n;
} char_set;

static int char_cmp(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen) {
    if (alen != blen) return alen < blen ? -1 : 1;
    return memcmp(a, b, alen);
}

static int set_order(const void *x, const void *y, void *ud) {
    const char_set *s = ud;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return char_cmp(s->base + a, char_len(s->base + a, s->len - a), s->base + b, char_len(s->base + b, s->len - b));
}

/* Build the set of the characters of chars (up to its first NUL, as SQLite). */
static bool set_build(char_set *s, const unsigned char *chars) {
    s->base = chars;
    s->len = strlen((const char *)chars);
    s->n = 0;
    s->at = malloc((s->len ? s->len : 1) * sizeof *s->at);
    if (!s->at) return false;
    for (size_t i = 0; i < s->len; i += char_len(chars + i, s->len - i)) s->at[s->n++] = (uint32_t)i;
    qsort_r(s->at, s->n, sizeof *s->at, set_order, s);
    return true;
}

static bool set_has(const char_set *s, const unsigned char *c, size_t clen) {
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t a = s->at[mid];
        int cmp = char_cmp(s->base + a, char_len(s->base + a, s->len - a), c, clen);
        if (cmp == 0) return true;
        if (cmp < 0) lo = mid + 1;
        else hi = mid;
    }
    return false;
}

enum { TRIM_LEFT = 1, TRIM_RIGHT = 2 };

static void trim_sides(sqlite3_context *ctx, int argc, sqlite3_value **argv, int sides) {
    if (SQ.value_type(argv[0]) == SQLITE_NULL) return;
    const unsigned char *x = SQ.value_text(argv[0]);
    if (!x) return;
    size_t start = 0, end = (size_t)SQ.value_bytes(argv[0]);
    const unsigned char *chars = argc == 1 ? (const unsigned char *)" " : SQ.value_text(argv[1]);
    if (!chars) return; /* trim(x, NULL) is NULL */
    char_set set;
    if (!set_build(&set, chars)) {
        SQ.result_error_nomem(ctx);
        return;
    }
    if (sides & TRIM_LEFT)
        while (start < end) {
            size_t n = char_len(x + start, end - start);
            if (!set_has(&set, x + start, n)) break;
            start += n;
        }
    if (sides & TRIM_RIGHT)
        while (end > start) {
            size_t at = start + last_char_start(x + start, end - start);
            if (!set_has(&set, x + at, end - at)) break;
            end = at;
        }
    free(set.at);
    SQ.result_text64(ctx, (const char *)x + start, end - start, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void fn_trim(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    trim_sides(ctx, argc, argv, TRIM_LEFT | TRIM_RIGHT);
}
static void fn_ltrim(sqlite3_context *ctx, int argc, sqlite3_value **argv) { trim_sides(ctx, argc, argv, TRIM_LEFT); }
static void fn_rtrim(sqlite3_context *ctx, int argc, sqlite3_value **argv) { trim_sides(ctx, argc, argv, TRIM_RIGHT); }

/* ---- instr --------------------------------------------------------------------- */

/* instr(x, y): 1 + the characters (bytes, for two blobs) before the first y
 * in x; 0 if there is none; 1 for an empty y. */
static void fn_instr(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    int tx = SQ.value_type(argv[0]), ty = SQ.value_type(argv[1]);
    if (tx == SQLITE_NULL || ty == SQLITE_NULL) return;
    bool text = !(tx == SQLITE_BLOB && ty == SQLITE_BLOB);
    const unsigned char *x = text ? SQ.value_text(argv[0]) : SQ.value_blob(argv[0]);
    size_t nx = (size_t)SQ.value_bytes(argv[0]);
    const unsigned char *y = text ? SQ.value_text(argv[1]) : SQ.value_blob(argv[1]);
    size_t ny = (size_t)SQ.value_bytes(argv[1]);
    if (ny == 0) {
        SQ.result_int(ctx, 1);
        return;
    }
    if (!y || (nx && !x)) {
        SQ.result_error_nomem(ctx);
        return;
    }
    /* In text, SQLite tries y only where a character starts (and at 0). */
    const unsigned char *hit = NULL; /* an empty x (maybe NULL) holds no y */
    if (nx < ny)
        hit = NULL;
    else if (text && is_cont(y[0]))
        hit = memcmp(x, y, ny) == 0 ? x : NULL;
    else
        hit = memmem(x, nx, y, ny);
    int64_t pos = 0;
    if (hit) {
        pos = 1;
        for (const unsigned char *p = x + 1; p <= hit; p++) pos += !text || !is_cont(*p);
    }
    SQ.result_int64(ctx, pos);
}

/* ---- replace ------------------------------------------------------------------- */

/* Copy x with every y (left to right, not overlapping) replaced by z into
 * out, or only count the bytes when out is NULL. */
static size_t replaced(const unsigned char *x, size_t nx, const unsigned char *y, size_t ny, const unsigned char *z,
                       size_t nz, unsigned char *out) {
    size_t i = 0, n = 0;
    for (const unsigned char *hit; (hit = memmem(x + i, nx - i, y, ny)) != NULL; i = (size_t)(hit - x) + ny) {
        size_t keep = (size_t)(hit - x) - i;
        if (out) {
            memcpy(out + n, x + i, keep);
            memcpy(out + n + keep, z, nz);
        }
        n += keep + nz;
    }
    if (out) memcpy(out + n, x + i, nx - i);
    return n + nx - i;
}

static void fn_replace(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    (void)argc;
    const unsigned char *x = SQ.value_text(argv[0]);
    if (!x) return;
    size_t nx = (size_t)SQ.value_bytes(argv[0]);
    const unsigned char *y = SQ.value_text(argv[1]);
    if (!y) return;
    if (!y[0]) { /* an empty pattern (or one starting with NUL) changes nothing */
        SQ.result_value(ctx, argv[0]);
        return;
    }
    size_t ny = (size_t)SQ.value_bytes(argv[1]);
    const unsigned char *z = SQ.value_text(argv[2]);
    if (!z) return;
    size_t nz = (size_t)SQ.value_bytes(argv[2]);
    size_t total = replaced(x, nx, y, ny, z, nz, NULL);
    if (total > (size_t)SQ.limit(SQ.context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1)) {
        SQ.result_error_toobig(ctx);
        return;
    }
    unsigned char *out = SQ.malloc64(total + 1);
    if (!out) {
        SQ.result_error_nomem(ctx);
        return;
    }
    replaced(x, nx, y, ny, z, nz, out);
    out[total] = 0;
    SQ.result_text64(ctx, (const char *)out, total, SQ.free, SQLITE_UTF8);
}

/* ---- like and glob ----------------------------------------------------------------- */

/* Decode one character and step past it, as SQLite does: malformed or
 * overlong sequences read as U+FFFD; NUL ends the string. */
static uint32_t read_char(const unsigned char **p) {
    uint32_t c = *(*p)++;
    if (c < 0xc0) return c;
    unsigned ones = 0;
    while (ones < 8 && (c << ones & 0x80)) ones++;
    c &= 0xffu >> (ones + 1);
    while (is_cont(**p)) c = (c << 6) + (0x3f & *(*p)++);
    if (c < 0x80 || (c & 0xfffff800) == 0xd800 || (c & 0xfffffffe) == 0xfffe) c = 0xfffd;
    return c;
}

typedef struct {
    uint32_t any;    /* '%' or '*': any run of characters (0: none) */
    uint32_t one;    /* '_' or '?': one character (0: none) */
    uint32_t escape; /* like's ESCAPE character (0: none) */
    bool sets;       /* glob's [...] */
    bool nocase;     /* like folds ASCII case */
} match_rules;

static uint32_t ascii_lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Does glob's class at *p (just past '[') contain c? Steps *p past the
 * class; false if it is not closed. */
static bool class_has(const unsigned char **p, uint32_t c) {
    bool seen = false, invert = false;
    uint32_t prior = 0, k = read_char(p);
    if (k == '^') {
        invert = true;
        k = read_char(p);
    }
    if (k == ']') {
        seen = c == ']';
        k = read_char(p);
    }
    while (k && k != ']') {
        if (k == '-' && **p != ']' && **p && prior) {
            k = read_char(p);
            seen |= c >= prior && c <= k;
            prior = 0;
        } else {
            seen |= c == k;
            prior = k;
        }
        k = read_char(p);
    }
    return k && seen != invert;
}

/* Does the pattern atom at *p (not a wildcard run) match the character c
 * (never 0)? Steps *p past the atom. */
static bool atom_matches(const match_rules *r, const unsigned char **p, uint32_t c) {
    uint32_t k = read_char(p);
    if (r->sets && k == '[') return class_has(p, c);
    if (r->escape && k == r->escape) {
        k = read_char(p);
        if (!k) return false; /* a pattern ending in ESCAPE matches nothing */
        return k == c || (r->nocase && k < 0x80 && c < 0x80 && ascii_lower(k) == ascii_lower(c));
    }
    if (k == c || (r->nocase && k < 0x80 && c < 0x80 && ascii_lower(k) == ascii_lower(c))) return true;
    return r->one && k == r->one;
}

/* Is the pattern character at p the start of an any-run? */
static bool at_any(const match_rules *r, const unsigned char *p) {
    const unsigned char *q = p;
    return r->any && *p && read_char(&q) == r->any;
}

enum { MATCH_NO, MATCH_YES, MATCH_STOPPED };

/* Match s against pat: each atom matches one character, an any-run any
 * number. Leftmost matching with one backtrack point (the last any-run)
 * decides the same as SQLite's recursion in at most |s| x |pat| atoms. */
static int pattern_match(sq_conn *c, const match_rules *r, const unsigned char *pat, const unsigned char *s) {
    const unsigned char *p = pat, *retry_p = NULL, *retry_s = NULL;
    unsigned steps = 0;
    for (;;) {
        if (++steps % MATCH_STEPS_PER_CHECK == 0 && (c->stop_reason = host_stop_pending()) != AIRLOCK_LIMIT_NONE)
            return MATCH_STOPPED;
        if (at_any(r, p)) {
            while (at_any(r, p)) read_char(&p);
            retry_p = p;
            retry_s = s;
            continue;
        }
        if (!*p && !*s) return MATCH_YES;
        if (*p && *s) {
            const unsigned char *next_s = s;
            uint32_t ch = read_char(&next_s);
            if (atom_matches(r, &p, ch)) {
                s = next_s;
                continue;
            }
        }
        if (!retry_p || !*retry_s) return MATCH_NO;
        read_char(&retry_s); /* the any-run takes one more character */
        p = retry_p;
        s = retry_s;
    }
}

/* like(pattern, string[, escape]) and glob(pattern, string). */
static void like_or_glob(sqlite3_context *ctx, int argc, sqlite3_value **argv, match_rules r) {
    sq_conn *c = SQ.user_data(ctx);
    if (c->like_skips_blobs &&
        (SQ.value_type(argv[0]) == SQLITE_BLOB || SQ.value_type(argv[1]) == SQLITE_BLOB)) {
        SQ.result_int(ctx, 0);
        return;
    }
    if (SQ.value_bytes(argv[0]) > SQ.limit(SQ.context_db_handle(ctx), SQLITE_LIMIT_LIKE_PATTERN_LENGTH, -1)) {
        SQ.result_error(ctx, "LIKE or GLOB pattern too complex", -1);
        return;
    }
    if (argc == 3) {
        const unsigned char *e = SQ.value_text(argv[2]);
        if (!e) return;
        if (!e[0] || e[char_len(e, strlen((const char *)e))]) {
            SQ.result_error(ctx, "ESCAPE expression must be a single character", -1);
            return;
        }
        r.escape = read_char(&e);
        if (r.escape == r.any) r.any = 0;
        if (r.escape == r.one) r.one = 0;
    }
    const unsigned char *pat = SQ.value_text(argv[0]), *s = SQ.value_text(argv[1]);
    if (!pat || !s) return;
    int m = pattern_match(c, &r, pat, s);
    if (m == MATCH_STOPPED)
        SQ.result_error_code(ctx, SQLITE_INTERRUPT);
    else
        SQ.result_int(ctx, m == MATCH_YES);
}

static void fn_like(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    like_or_glob(ctx, argc, argv, (match_rules){'%', '_', 0, false, true});
}

static void fn_glob(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    like_or_glob(ctx, argc, argv, (match_rules){'*', '?', 0, true, false});
}

/* ---- printf and format --------------------------------------------------------------
 * SQLite's printf writes '%.Nc' (the character, N times) one append at a
 * time, and goes on appending after its buffer is refused: one
 * printf('%.*c', 2000000000, 'x') ran 30 s, and 999 columns of
 * printf('%.*c', 1999999, 'x') 34 s past --timeout 1 (each call finishes
 * its loop on a refused buffer). Ours refuses a %c precision past the
 * length cap, checks the deadline before each call, and otherwise runs
 * SQLite's own printf, on a private in-memory connection where it is not
 * replaced. */

/* A number in a format: SQLite keeps the low 31 bits. */
static int64_t format_number(const unsigned char **p) {
    uint32_t n = 0;
    while (**p >= '0' && **p <= '9') n = n * 10 + (uint32_t)(*(*p)++ - '0');
    return n & 0x7fffffff;
}

/* Is a %c of fmt repeated more than max times? argv[1..argc) are its
 * arguments, which a '*' width or precision takes as SQLite does. */
static bool repeats_too_long(const unsigned char *fmt, int argc, sqlite3_value **argv, int64_t max) {
    int arg = 1;
    for (const unsigned char *p = fmt; *p; p++) {
        if (*p != '%') continue;
        for (p++; *p && strchr("-+ #!,0", *p); p++) {}
        if (*p == '*') {
            arg++;
            p++;
        } else {
            format_number(&p);
        }
        int64_t precision = 0;
        if (*p == '.') {
            if (*++p == '*') {
                int given = arg < argc ? (int)SQ.value_int64(argv[arg]) : 0;
                precision = given < 0 ? -(int64_t)given : given; /* SQLite takes a negative one as positive */
                arg++;
                p++;
            } else {
                precision = format_number(&p);
            }
        }
        while (*p == 'l') p++;
        if (!*p) break;
        if (*p == 'c' && precision > max) return true;
        if (*p != '%' && *p != 'n') arg++; /* %% and %n take no argument */
    }
    return false;
}

/* The helper's "SELECT printf(?, ?, ...)" with n parameters; NULL when out
 * of memory. */
static sqlite3_stmt *helper_printf(sq_conn *c, int n) {
    if (!c->helper) {
        if (SQ.open_v2(":memory:", &c->helper, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) != SQLITE_OK) {
            SQ.close_v2(c->helper);
            c->helper = NULL;
            return NULL;
        }
        SQ.limit(c->helper, SQLITE_LIMIT_LENGTH, SQ_MAX_VALUE);
    }
    char sql[16 + 3 * 128] = "SELECT printf(?";
    for (int i = 1; i < n && i < 128; i++) strcat(sql, ",?");
    strcat(sql, ")");
    sqlite3_stmt *st = NULL;
    return SQ.prepare_v3(c->helper, sql, -1, 0, &st, NULL) == SQLITE_OK ? st : NULL;
}

static void fn_printf(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
    sq_conn *c = SQ.user_data(ctx);
    if (argc < 1) return;
    if ((c->stop_reason = host_stop_pending()) != AIRLOCK_LIMIT_NONE) {
        SQ.result_error_code(ctx, SQLITE_INTERRUPT);
        return;
    }
    const unsigned char *fmt = SQ.value_text(argv[0]);
    if (!fmt) return;
    if (repeats_too_long(fmt, argc, argv, SQ.limit(SQ.context_db_handle(ctx), SQLITE_LIMIT_LENGTH, -1))) {
        SQ.result_error_toobig(ctx);
        return;
    }
    sqlite3_stmt *st = helper_printf(c, argc);
    int rc = st ? SQLITE_OK : SQLITE_NOMEM;
    for (int i = 0; i < argc && rc == SQLITE_OK; i++) rc = SQ.bind_value(st, i + 1, argv[i]);
    if (rc == SQLITE_OK) rc = SQ.step(st);
    if (rc == SQLITE_ROW) SQ.result_value(ctx, SQ.column_value(st, 0));
    else if (rc == SQLITE_TOOBIG) SQ.result_error_toobig(ctx);
    else SQ.result_error_code(ctx, rc == SQLITE_OK || rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    SQ.finalize(st);
}

/* ---- installing them ---------------------------------------------------------------- */

bool sq_functions_install(sq_conn *c) {
    static const struct {
        const char *name;
        int nargs;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"trim", 1, fn_trim},   {"trim", 2, fn_trim},   {"ltrim", 1, fn_ltrim}, {"ltrim", 2, fn_ltrim},
        {"rtrim", 1, fn_rtrim}, {"rtrim", 2, fn_rtrim}, {"instr", 2, fn_instr}, {"replace", 3, fn_replace},
        {"like", 2, fn_like},   {"like", 3, fn_like},   {"glob", 2, fn_glob},   {"printf", -1, fn_printf},
        {"format", -1, fn_printf},
    };
    c->like_skips_blobs = SQ.compileoption_used("LIKE_DOESNT_MATCH_BLOBS") != 0;
    for (size_t i = 0; i < sizeof fns / sizeof *fns; i++)
        if (SQ.create_function_v2(c->db, fns[i].name, fns[i].nargs, FN_FLAGS, c, fns[i].fn, NULL, NULL, NULL) !=
            SQLITE_OK)
            return false;
    return true;
}
