/*
 * rewrite.c - the source rewriter (rewrite.h).
 *
 * A tokenizer over the source's bytes, then one pass per rewrite, each
 * recording edits (insertions before a position, replacements of a token),
 * applied in one copy at the end. Its output is the contract: it equals
 * what the earlier guest-side rewriter in Python produced, which
 * tests/rewrite/oracle.py keeps and tests/rewrite/run.py compares against,
 * including that rewriter's quirks (a class field after a nested block is
 * not seen, a source ending in "class C:" is left as it is, ...).
 *
 * Linear time: brackets and indented blocks are matched once (tok.match),
 * so no pass walks back or over a nested part more than once; the start of
 * a primary expression is remembered per token (primary_start). Failures
 * (out of memory, and the one place the Python rewriter raised IndexError)
 * longjmp to the level's rewrite(), which then answers "as it is".
 */
#include "guests/micropython/rewrite.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* f-string fields are rewritten by a nested rewrite(): depth 0 is the
 * source. Quoting bounds the nesting at 2 (a field can hold a quote only in
 * a triple-quoted f-string, and that inner string's fields none); the cap
 * holds whatever a later change makes possible. */
#define MAX_DEPTH 4

enum { NAME, NUM, STR, OP, NL, INDENT, DEDENT };

typedef struct tok {
    uint32_t start, end;
    int32_t match; /* partner bracket or INDENT/DEDENT, -1 */
    uint8_t kind;
    int8_t word; /* NAME: index in words[], -1 for any other name */
} tok;

/* ---- the names the passes compare ---------------------------------------- */

enum { W_METHOD = 1, W_SPECIAL = 2, W_KEYWORD = 4, W_ATOM = 8 };

typedef struct word {
    const char *s;
    uint8_t flags;
} word;

static const word words[] = {
    {"ljust", W_METHOD}, {"rjust", W_METHOD}, {"zfill", W_METHOD}, {"title", W_METHOD},
    {"capitalize", W_METHOD}, {"swapcase", W_METHOD}, {"isalnum", W_METHOD}, {"istitle", W_METHOD},
    {"isidentifier", W_METHOD}, {"isdecimal", W_METHOD}, {"isnumeric", W_METHOD}, {"isascii", W_METHOD},
    {"isprintable", W_METHOD}, {"casefold", W_METHOD}, {"removeprefix", W_METHOD}, {"removesuffix", W_METHOD},
    {"expandtabs", W_METHOD}, {"translate", W_METHOD}, {"maketrans", W_METHOD}, {"hexdigest", W_METHOD},
    {"center", W_METHOD}, {"format", W_METHOD}, {"sort", W_METHOD}, {"getrecursionlimit", W_METHOD},
    {"setrecursionlimit", W_METHOD}, {"hex", W_METHOD}, {"fromhex", W_METHOD},
    {"Enum", W_SPECIAL}, {"IntEnum", W_SPECIAL}, {"StrEnum", W_SPECIAL}, {"Flag", W_SPECIAL},
    {"IntFlag", W_SPECIAL}, {"NamedTuple", W_SPECIAL}, {"TypedDict", W_SPECIAL}, {"Generic", W_SPECIAL},
    {"Protocol", W_SPECIAL},
    {"False", W_KEYWORD | W_ATOM}, {"None", W_KEYWORD | W_ATOM}, {"True", W_KEYWORD | W_ATOM},
    {"and", W_KEYWORD}, {"as", W_KEYWORD}, {"assert", W_KEYWORD}, {"async", W_KEYWORD}, {"await", W_KEYWORD},
    {"break", W_KEYWORD}, {"class", W_KEYWORD}, {"continue", W_KEYWORD}, {"def", W_KEYWORD}, {"del", W_KEYWORD},
    {"elif", W_KEYWORD}, {"else", W_KEYWORD}, {"except", W_KEYWORD}, {"finally", W_KEYWORD}, {"for", W_KEYWORD},
    {"from", W_KEYWORD}, {"global", W_KEYWORD}, {"if", W_KEYWORD}, {"import", W_KEYWORD}, {"in", W_KEYWORD},
    {"is", W_KEYWORD}, {"lambda", W_KEYWORD}, {"nonlocal", W_KEYWORD}, {"not", W_KEYWORD}, {"or", W_KEYWORD},
    {"pass", W_KEYWORD}, {"raise", W_KEYWORD}, {"return", W_KEYWORD}, {"try", W_KEYWORD}, {"while", W_KEYWORD},
    {"with", W_KEYWORD}, {"yield", W_KEYWORD},
    {"case", 0}, {"match", 0},
};
#define N_WORDS ((int)(sizeof words / sizeof words[0]))
#define LONGEST_WORD 17

static int word_index(const uint8_t *s, size_t n) {
    if (n > LONGEST_WORD) return -1;
    for (int w = 0; w < N_WORDS; w++)
        if (words[w].s[0] == s[0] && strlen(words[w].s) == n && memcmp(words[w].s, s, n) == 0) return w;
    return -1;
}

/* The needles of the pre-check: a source containing none of them (and not
 * both ':' and '[') has nothing to rewrite. */
static const char *const other_needles[] = {"::", "**", "class ", "f\"", "f'", "F\"", "F'",
                                            ":-", "match ", "async def", "except*"};

static bool has_at(const uint8_t *s, size_t n, size_t i, const char *needle) {
    size_t len = strlen(needle);
    return len <= n - i && memcmp(s + i, needle, len) == 0;
}

/* "." method "(" at i, for one of the methods */
static bool method_call_at(const uint8_t *s, size_t n, size_t i) {
    for (int w = 0; w < N_WORDS && (words[w].flags & W_METHOD); w++) {
        size_t len = strlen(words[w].s);
        if (len + 2 <= n - i && s[i + 1] == (uint8_t)words[w].s[0] && memcmp(s + i + 1, words[w].s, len) == 0 &&
            s[i + 1 + len] == '(')
            return true;
    }
    return false;
}

/* One pass over s: whether any needle occurs. */
static bool needs_work(const uint8_t *s, size_t n) {
    bool colon = false, bracket = false;
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case ':': colon = true; break;
        case '[': bracket = true; break;
        case '.':
            if (method_call_at(s, n, i)) return true;
            continue;
        case '*': case 'c': case 'f': case 'F': case 'm': case 'a': case 'e': break; /* other_needles start so */
        default: continue;
        }
        for (size_t k = 0; k < sizeof other_needles / sizeof other_needles[0]; k++)
            if ((uint8_t)other_needles[k][0] == s[i] && has_at(s, n, i, other_needles[k])) return true;
        if (colon && bracket) return true;
    }
    return false;
}

/* ---- working state of one rewrite() ---------------------------------------- */

typedef struct buf {
    char *p;
    size_t n, cap;
} buf;

typedef struct insertion {
    uint32_t pos, off, len, seq;
    int64_t order; /* at one position the larger order goes first */
} insertion;

typedef struct replacement {
    uint32_t off, len;
    bool set;
} replacement;

typedef struct ann {
    int32_t name;       /* token of the field's name */
    uint32_t from, to;  /* annotation text in src (empty when to <= from) */
} ann;

typedef struct ctx {
    jmp_buf fail;
    const uint8_t *src;
    size_t n;
    char q;    /* quote of the string literals it writes */
    int depth; /* nesting of rewrite() */
    tok *t;
    size_t nt, capt;
    int32_t *memo;       /* primary_start per token: -2 unknown, -1 none */
    int32_t *stmt;       /* first token of each token's statement */
    replacement *rep;    /* per token */
    insertion *ins;
    size_t nins, capins;
    buf text;            /* insertion and replacement texts */
    buf scratch[3];      /* f-string rewriting: body, field, expression */
    char *inner;         /* a nested rewrite's answer, being copied */
    buf out;             /* the answer (here, not on the stack: longjmp) */
    int32_t *names;      /* class fields (tokens), in order */
    size_t nnames, capnames;
    ann *anns;
    size_t nanns, capanns;
    uint32_t *set_tok, *set_gen, set_mask, gen; /* names seen in this class */
    uint32_t *indents;   /* tokenizer */
    size_t nind, capind;
    int32_t *stack;      /* bracket / block matching */
} ctx;

static void *grow(ctx *c, void *p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return p;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need) cap2 *= 2;
    void *q = realloc(p, cap2 * size);
    if (!q) longjmp(c->fail, 1);
    *cap = cap2;
    return q;
}

static void *zalloc(ctx *c, size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size);
    if (!p) longjmp(c->fail, 1);
    return p;
}

static void put(ctx *c, buf *b, const void *s, size_t n) {
    b->p = grow(c, b->p, &b->cap, b->n + n + 1, 1);
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_(ctx *c, buf *b, const char *s) { put(c, b, s, strlen(s)); }
static void putc_(ctx *c, buf *b, char ch) { put(c, b, &ch, 1); }

/* q + s + q with backslashes and q escaped; newline_as_space: '\n' becomes
 * ' ' (plain literals); else ':' and '!' become q+chr(58)+q and q+chr(33)+q,
 * as a literal inside an f-string field must be written (MicroPython's
 * f-string parser splits on them even inside quotes). */
static void put_literal(ctx *c, buf *b, const uint8_t *s, size_t n, char q, bool newline_as_space) {
    putc_(c, b, q);
    for (size_t i = 0; i < n; i++) {
        char ch = (char)s[i];
        if (ch == '\\') puts_(c, b, "\\\\");
        else if (ch == q) putc_(c, b, '\\'), putc_(c, b, q);
        else if (ch == '\n' && newline_as_space) putc_(c, b, ' ');
        else if ((ch == ':' || ch == '!') && !newline_as_space) {
            putc_(c, b, q);
            puts_(c, b, ch == ':' ? "+chr(58)+" : "+chr(33)+");
            putc_(c, b, q);
        } else putc_(c, b, ch);
    }
    putc_(c, b, q);
}

/* ---- tokens ------------------------------------------------------------------- */

static bool is_name_byte(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c >= 128;
}
static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
static bool is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }
static bool is_quote(uint8_t c) { return c == '\'' || c == '"'; }

static void emit(ctx *c, int kind, size_t start, size_t end, int word) {
    if (c->nt >= UINT32_MAX / 2) longjmp(c->fail, 1);
    c->t = grow(c, c->t, &c->capt, c->nt + 1, sizeof(tok));
    c->t[c->nt++] = (tok){.start = (uint32_t)start, .end = (uint32_t)end, .match = -1, .kind = (uint8_t)kind,
                          .word = (int8_t)word};
}

/* Whether the byte at k follows an odd run of backslashes (from lo). */
static bool escaped(const uint8_t *s, size_t lo, size_t k) {
    size_t b = k;
    while (b > lo && s[b - 1] == '\\') b--;
    return (k - b) % 2 == 1;
}

/* String literal starting at i (prefix i..q, quote at q); its end. An
 * unescaped newline ends a single-quoted one that is not closed. */
static size_t string_end(const uint8_t *s, size_t n, size_t q) {
    uint8_t qb = s[q];
    bool triple = q + 2 < n && s[q + 1] == qb && s[q + 2] == qb;
    size_t lo = q + (triple ? 3 : 1);
    for (size_t j = lo; j < n; j++) {
        if (!triple && s[j] == '\n') {
            if (escaped(s, lo, j)) continue;
            return j;
        }
        if (s[j] != qb || (triple && !(j + 2 < n && s[j + 1] == qb && s[j + 2] == qb))) continue;
        if (escaped(s, lo, j)) continue;
        return j + (triple ? 3 : 1);
    }
    return n;
}

static bool is_string_prefix(const uint8_t *s, size_t n) {
    static const char *const prefixes[] = {"f", "r", "b", "u", "fr", "rf", "br", "rb"};
    for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
        if (strlen(prefixes[k]) != n) continue;
        size_t i = 0;
        while (i < n && (s[i] | 0x20) == (uint8_t)prefixes[k][i]) i++; /* ASCII letters only match */
        if (i == n) return true;
    }
    return false;
}

static size_t op_length(const uint8_t *s, size_t n, size_t i) {
    static const char *const ops3[] = {"**=", "//=", ">>=", "<<=", "..."};
    static const char *const ops2[] = {"**", "//", "==", "!=", "<=", ">=", "->", "+=", "-=", "*=",
                                       "/=", "%=", "&=", "|=", "^=", "@=", ":=", "<<", ">>"};
    if (!s[i] || !strchr("*/<>.=!-+%&|^@:", s[i])) return 1; /* no longer operator starts so */
    for (size_t k = 0; k < sizeof ops3 / sizeof ops3[0]; k++)
        if (has_at(s, n, i, ops3[k])) return 3;
    for (size_t k = 0; k < sizeof ops2 / sizeof ops2[0]; k++)
        if (has_at(s, n, i, ops2[k])) return 2;
    return 1; /* any other byte, a control character too */
}

static size_t number_end(const uint8_t *s, size_t n, size_t i, size_t j) {
    bool hexa = s[i] == '0' && j > i + 1 && (s[i + 1] == 'x' || s[i + 1] == 'X');
    while (j < n) {
        uint8_t d = s[j];
        bool sign = (d == '+' || d == '-') && (s[j - 1] == 'e' || s[j - 1] == 'E') && !hexa;
        if (!is_name_byte(d) && d != '.' && !sign) break;
        j++;
    }
    return j;
}

/* Indentation at the start of a logical line at i: INDENT/DEDENT tokens;
 * the position to go on from, or SIZE_MAX when the source ends. */
static size_t line_start(ctx *c, size_t i, bool *skipped) {
    const uint8_t *s = c->src;
    size_t n = c->n, j = i, col = 0;
    *skipped = false;
    for (; j < n && (s[j] == ' ' || s[j] == '\t'); j++) col += s[j] == ' ' ? 1 : 8;
    if (j < n && (s[j] == '#' || s[j] == '\r' || s[j] == '\n')) { /* blank or comment line */
        const uint8_t *nl = memchr(s + j, '\n', n - j);
        *skipped = true;
        return nl ? (size_t)(nl - s) + 1 : n;
    }
    if (j >= n) return SIZE_MAX;
    if (col > c->indents[c->nind - 1]) {
        c->indents = grow(c, c->indents, &c->capind, c->nind + 1, sizeof(uint32_t));
        c->indents[c->nind++] = (uint32_t)col;
        emit(c, INDENT, j, j, -1);
    }
    while (col < c->indents[c->nind - 1]) {
        c->nind--;
        emit(c, DEDENT, j, j, -1);
    }
    return j;
}

static void tokenize(ctx *c) {
    const uint8_t *s = c->src;
    size_t n = c->n, i = 0, depth = 0;
    bool at_line_start = true;
    c->indents = grow(c, c->indents, &c->capind, 1, sizeof(uint32_t));
    c->indents[0] = 0;
    c->nind = 1;
    while (i < n) {
        if (at_line_start && depth == 0) {
            bool skipped;
            size_t j = line_start(c, i, &skipped);
            if (j == SIZE_MAX) break;
            i = j;
            if (skipped) continue;
            at_line_start = false;
        }
        uint8_t ch = s[i];
        if (ch == '\n') {
            if (depth == 0) {
                emit(c, NL, i, i, -1);
                at_line_start = true;
            }
            i++;
        } else if (is_space(ch)) {
            i++;
        } else if (ch == '#') {
            const uint8_t *nl = memchr(s + i, '\n', n - i);
            i = nl ? (size_t)(nl - s) : n;
        } else if (ch == '\\' && i + 1 < n && s[i + 1] == '\n') {
            i += 2;
        } else if (is_name_byte(ch)) {
            size_t j = i + 1;
            while (j < n && is_name_byte(s[j])) j++;
            if (is_digit(ch)) {
                j = number_end(s, n, i, j);
                emit(c, NUM, i, j, -1);
            } else if (j < n && is_quote(s[j]) && is_string_prefix(s + i, j - i)) {
                j = string_end(s, n, j);
                emit(c, STR, i, j, -1);
            } else {
                emit(c, NAME, i, j, word_index(s + i, j - i));
            }
            i = j;
        } else if (is_quote(ch)) {
            size_t j = string_end(s, n, i);
            emit(c, STR, i, j, -1);
            i = j;
        } else if (ch == '.' && i + 1 < n && is_digit(s[i + 1])) {
            size_t j = i + 1;
            while (j < n && is_name_byte(s[j])) j++;
            emit(c, NUM, i, j, -1);
            i = j;
        } else {
            size_t len = op_length(s, n, i);
            if (ch == '(' || ch == '[' || ch == '{') depth++;
            else if ((ch == ')' || ch == ']' || ch == '}') && depth > 0) depth--;
            emit(c, OP, i, i + len, -1);
            i += len;
        }
    }
    emit(c, NL, n, n, -1);
    for (; c->nind > 1; c->nind--) emit(c, DEDENT, n, n, -1);
}

/* ---- token predicates ------------------------------------------------------------ */

static bool is_op(const ctx *c, size_t k, const char *s) {
    const tok *t = &c->t[k];
    if (t->kind != OP || c->src[t->start] != (uint8_t)s[0]) return false;
    size_t len = strlen(s);
    return t->end - t->start == len && memcmp(c->src + t->start, s, len) == 0;
}

/* one of the one-byte operators in set */
static bool is_op_in(const ctx *c, size_t k, const char *set) {
    const tok *t = &c->t[k];
    if (t->kind != OP || t->end - t->start != 1) return false;
    uint8_t b = c->src[t->start];
    return b && strchr(set, b) != NULL; /* strchr would find a NUL byte */
}

static bool is_word(const ctx *c, size_t k, const char *s) {
    const tok *t = &c->t[k];
    return t->kind == NAME && t->word >= 0 && strcmp(words[t->word].s, s) == 0;
}

static bool word_has(const ctx *c, size_t k, int flag) {
    const tok *t = &c->t[k];
    return t->kind == NAME && t->word >= 0 && (words[t->word].flags & flag);
}

static bool is_opener(const ctx *c, size_t k) { return is_op_in(c, k, "([{"); }
static bool is_closer(const ctx *c, size_t k) { return is_op_in(c, k, ")]}"); }
static bool at_stmt_start(const ctx *c, size_t k) {
    return c->t[k].kind == NL || c->t[k].kind == INDENT || c->t[k].kind == DEDENT;
}

static bool ends_primary(const ctx *c, size_t k) {
    const tok *t = &c->t[k];
    if (t->kind == NAME) return !word_has(c, k, W_KEYWORD) || word_has(c, k, W_ATOM);
    if (t->kind == NUM || t->kind == STR) return true;
    return is_closer(c, k);
}

/* Partners: brackets of any kind by depth (an unmatched one has none), and
 * each INDENT with its DEDENT; the first token of each statement. */
static void match_tokens(ctx *c) {
    c->stack = zalloc(c, c->nt, sizeof(int32_t));
    c->stmt = zalloc(c, c->nt, sizeof(int32_t));
    size_t brackets = 0, blocks = c->nt; /* two stacks in one array, growing towards each other */
    for (size_t k = 0; k < c->nt; k++) {
        c->stmt[k] = k > 0 && !at_stmt_start(c, k - 1) ? c->stmt[k - 1] : (int32_t)k;
        if (is_opener(c, k) || c->t[k].kind == INDENT) {
            if (c->t[k].kind == INDENT) c->stack[--blocks] = (int32_t)k;
            else c->stack[brackets++] = (int32_t)k;
        } else if (is_closer(c, k) && brackets > 0) {
            int32_t o = c->stack[--brackets];
            c->t[o].match = (int32_t)k;
            c->t[k].match = o;
        } else if (c->t[k].kind == DEDENT && blocks < c->nt) {
            int32_t o = c->stack[blocks++];
            c->t[o].match = (int32_t)k;
            c->t[k].match = o;
        }
    }
}

/* ---- edits ---------------------------------------------------------------------- */

static uint32_t text_add(ctx *c, const char *s, size_t n) {
    size_t off = c->text.n;
    put(c, &c->text, s, n);
    return (uint32_t)off;
}

static void insert(ctx *c, size_t pos, int64_t order, const char *s, size_t n) {
    c->ins = grow(c, c->ins, &c->capins, c->nins + 1, sizeof(insertion));
    uint32_t off = text_add(c, s, n);
    c->ins[c->nins] = (insertion){.pos = (uint32_t)pos, .off = off, .len = (uint32_t)n, .seq = (uint32_t)c->nins,
                                  .order = order};
    c->nins++;
}

static void replace(ctx *c, size_t k, const char *s, size_t n) {
    uint32_t off = text_add(c, s, n);
    c->rep[k] = (replacement){.off = off, .len = (uint32_t)n, .set = true};
}

static void replace_s(ctx *c, size_t k, const char *s) { replace(c, k, s, strlen(s)); }

static int by_position(const void *a, const void *b) {
    const insertion *x = a, *y = b;
    if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
    if (x->order != y->order) return x->order > y->order ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The edited source: at each position the insertions, then the
 * replacement of the token starting there. Every edit is at a token's
 * start, so none falls inside a replaced token. */
static void apply(ctx *c, buf *out) {
    if (c->nins) qsort(c->ins, c->nins, sizeof(insertion), by_position);
    size_t pos = 0, ii = 0, k = 0;
    for (;;) {
        while (k < c->nt && !c->rep[k].set) k++;
        size_t p_ins = ii < c->nins ? c->ins[ii].pos : SIZE_MAX;
        size_t p_rep = k < c->nt ? c->t[k].start : SIZE_MAX;
        size_t p = p_ins < p_rep ? p_ins : p_rep;
        if (p == SIZE_MAX) break;
        put(c, out, c->src + pos, p - pos);
        for (; ii < c->nins && c->ins[ii].pos == p; ii++) put(c, out, c->text.p + c->ins[ii].off, c->ins[ii].len);
        pos = p;
        if (p == p_rep) {
            put(c, out, c->text.p + c->rep[k].off, c->rep[k].len);
            pos = c->t[k].end;
            k++;
        }
    }
    put(c, out, c->src + pos, c->n - pos);
}

/* ---- structure ------------------------------------------------------------------ */

/* Index of the first token of the primary expression ending at token k, or
 * -1. Each step moves left over a trailer or an attribute; the answer is
 * the same from every step of one walk, so it is kept for each. */
static int32_t primary_step(const ctx *c, int32_t k, bool *done) {
    *done = true;
    const tok *t = &c->t[k];
    if (is_closer(c, (size_t)k)) {
        int32_t o = t->match;
        if (o < 0) return -1;
        if (!is_op(c, (size_t)k, "}") && o > 0 && ends_primary(c, (size_t)o - 1)) {
            *done = false; /* call or subscript trailer: continue with what precedes */
            return o - 1;
        }
        return o;
    }
    if (t->kind == STR) {
        while (k > 0 && c->t[k - 1].kind == STR) k--;
        return k;
    }
    if (t->kind == NUM || (t->kind == NAME && ends_primary(c, (size_t)k))) {
        if (k > 1 && is_op(c, (size_t)k - 1, ".") && ends_primary(c, (size_t)k - 2)) {
            *done = false;
            return k - 2;
        }
        return k;
    }
    return -1;
}

static int32_t primary_start(ctx *c, int32_t k) {
    int32_t at = k, result;
    bool done = false;
    for (;;) {
        if (c->memo[at] != -2) {
            result = c->memo[at];
            break;
        }
        int32_t next = primary_step(c, at, &done);
        if (done) {
            result = next;
            break;
        }
        at = next;
    }
    for (at = k; c->memo[at] == -2;) {
        c->memo[at] = result;
        int32_t next = primary_step(c, at, &done);
        if (done) break;
        at = next;
    }
    return result;
}

/* ---- rewrites -------------------------------------------------------------------- */

static const char MSG_MATCH[] = "match statements are not supported (MicroPython); use if/elif chains";
static const char MSG_EXCEPT_STAR[] = "except* (exception groups) is not supported (MicroPython); use a plain except";
static const char MSG_ASYNC_GEN[] = "async generators (yield inside async def) are not supported "
                                    "(MicroPython); return a list, or pass items through an asyncio.Queue";

/* match <subject>: NL INDENT case ... */
static bool is_match_statement(const ctx *c, size_t k) {
    size_t n = c->nt;
    if (!(k + 1 < n) || (is_op_in(c, k + 1, "=.[,):"))) return false;
    size_t j = k + 1;
    while (j < n && c->t[j].kind != NL) j++;
    return j + 2 < n && is_op(c, j - 1, ":") && c->t[j + 1].kind == INDENT && is_word(c, j + 2, "case");
}

/* The next INDENT or DEDENT at or after k (there is one inside any block). */
static size_t next_block_token(const ctx *c, size_t k) {
    while (c->t[k].kind != INDENT && c->t[k].kind != DEDENT) k++;
    return k;
}

/* A yield directly in the body of the async def at k (not in a nested def
 * or class: from one, the scan skips to the DEDENT that takes it back to
 * the def's level or out of it): its token, or -1. */
static int32_t async_generator_yield(const ctx *c, size_t k) {
    size_t n = c->nt, j = k + 2;
    while (j < n && c->t[j].kind != NL) j++;
    if (!(j + 1 < n && c->t[j + 1].kind == INDENT)) return -1;
    long d = 0;
    for (j++; j < n; j++) {
        const tok *u = &c->t[j];
        if (u->kind == INDENT) d++;
        else if (u->kind == DEDENT) {
            if (--d == 0) break;
        } else if (u->kind == NAME && (is_word(c, j, "def") || is_word(c, j, "class"))) {
            size_t b = next_block_token(c, j + 1);
            j = c->t[b].kind == INDENT ? (size_t)c->t[b].match : b; /* the DEDENT ending the skip */
            if (c->t[b].kind == DEDENT && --d == 0) break;
        } else if (is_word(c, j, "yield")) {
            return (int32_t)j;
        }
    }
    return -1;
}

/* Syntax MicroPython rejects with a bare "invalid syntax": the offset and
 * what to say, so the agent learns what to write instead. */
static bool unsupported(const ctx *c, size_t *off, const char **msg) {
    for (size_t k = 0; k < c->nt; k++) {
        if (c->t[k].kind != NAME || (k > 0 && !at_stmt_start(c, k - 1))) continue;
        if (is_word(c, k, "match") && is_match_statement(c, k)) {
            *off = c->t[k].start, *msg = MSG_MATCH;
            return true;
        }
        if (is_word(c, k, "except") && k + 1 < c->nt && is_op(c, k + 1, "*")) {
            *off = c->t[k].start, *msg = MSG_EXCEPT_STAR;
            return true;
        }
        if (is_word(c, k, "async") && k + 1 < c->nt && is_word(c, k + 1, "def")) {
            int32_t y = async_generator_yield(c, k);
            if (y >= 0) {
                *off = c->t[y].start, *msg = MSG_ASYNC_GEN;
                return true;
            }
        }
    }
    return false;
}

static void methods(ctx *c) {
    for (size_t k = 2; k + 1 < c->nt; k++) {
        if (!word_has(c, k, W_METHOD) || !is_op(c, k - 1, ".") || !is_op(c, k + 1, "(")) continue;
        if (is_word(c, k - 2, "import") || is_word(c, k - 2, "from")) continue;
        int32_t s = primary_start(c, (int32_t)k - 2);
        if (s < 0) continue;
        const char *name = words[c->t[k].word].s;
        size_t start = c->t[s].start, dot = c->t[k - 1].start;
        if (strcmp(name, "format") == 0 || strcmp(name, "sort") == 0) {
            const char *call = name[0] == 'f' ? "_airlock.mfmt(" : "_airlock.msort(";
            insert(c, start, dot, call, strlen(call));
            replace_s(c, k - 1, ")");
        } else {
            insert(c, start, dot, "_airlock.m(", 11);
            char arg[LONGEST_WORD + 8];
            size_t len = (size_t)snprintf(arg, sizeof arg, ", %c%s%c)", c->q, name, c->q);
            replace(c, k - 1, arg, len);
        }
        replace_s(c, k, "");
    }
}

static bool is_assign_op(const ctx *c, size_t k) {
    static const char *const ops[] = {"=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "&=", "|=",
                                      "^=", ">>=", "<<=", "@="};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (is_op(c, k, ops[i])) return true;
    return false;
}

/* The two top-level colons of the subscript k..e, or false (a ',', ':=' or
 * lambda at the top level, or not two colons). */
static bool two_colons(const ctx *c, size_t k, size_t e, size_t colons[2]) {
    size_t count = 0;
    for (size_t j = k + 1; j < e; j++) {
        if (is_opener(c, j)) j = (size_t)c->t[j].match; /* nested: its closer, then on */
        else if (is_op(c, j, ":")) {
            if (count == 2) return false;
            colons[count++] = j;
        } else if (is_op(c, j, ",") || is_op(c, j, ":=") || is_word(c, j, "lambda")) return false;
    }
    return count == 2;
}

static void slices(ctx *c) {
    size_t n = c->nt;
    for (size_t k = 1; k < n; k++) {
        if (!is_op(c, k, "[") || !ends_primary(c, k - 1)) continue;
        int32_t m = c->t[k].match;
        size_t colon[2];
        if (m < 0 || !two_colons(c, k, (size_t)m, colon)) continue;
        size_t e = (size_t)m;
        if (e + 1 < n && is_assign_op(c, e + 1)) continue; /* loads only: not an assignment target */
        size_t st = (size_t)c->stmt[k];
        if (is_word(c, st, "del") || is_word(c, st, "for")) continue;
        int32_t s = primary_start(c, (int32_t)k - 1);
        if (s < 0) continue;
        insert(c, c->t[s].start, c->t[k].start, "_airlock.sl(", 12);
        replace_s(c, k, colon[0] == k + 1 ? ", None" : ", ");
        replace_s(c, colon[0], colon[1] == colon[0] + 1 ? ", None" : ", ");
        replace_s(c, colon[1], e == colon[1] + 1 ? ", None" : ", ");
        replace_s(c, e, ")");
    }
}

/* The top-level colon of the dict element a..b, or -1. */
static int32_t element_colon(const ctx *c, size_t a, size_t b) {
    for (size_t j = a; j < b; j++) {
        if (is_opener(c, j)) j = (size_t)c->t[j].match;
        else if (is_op(c, j, ":")) return (int32_t)j;
    }
    return -1;
}

/* Walks the top-level elements of the braces at k..e: each call gives the
 * next non-empty one, tokens a..b-1 (b: the ',' or the closer after it). */
typedef struct elem_walk {
    size_t j, e, start;
} elem_walk;

static bool next_element(const ctx *c, elem_walk *w, size_t *a, size_t *b, bool *comprehension) {
    for (; w->j <= w->e; w->j++) {
        size_t j = w->j;
        if (j != w->e && is_opener(c, j)) {
            w->j = (size_t)c->t[j].match; /* nested: its closer, then on */
        } else if (is_op(c, j, ",") || j == w->e) {
            size_t first = w->start;
            w->start = j + 1;
            if (j > first) {
                *a = first, *b = j, w->j++;
                return true;
            }
        } else if (is_word(c, j, "for") || is_word(c, j, "async")) {
            *comprehension = true;
        }
    }
    return false;
}

static void dicts(ctx *c) {
    for (size_t k = 0; k < c->nt; k++) {
        if (!is_op(c, k, "{") || (k > 0 && ends_primary(c, k - 1)) || c->t[k].match < 0) continue;
        size_t e = (size_t)c->t[k].match, a, b, elems = 0;
        bool star = false, comprehension = false, ok = true;
        elem_walk w = {k + 1, e, k + 1};
        while (!comprehension && next_element(c, &w, &a, &b, &comprehension)) elems++, star |= is_op(c, a, "**");
        if (comprehension || !elems || !star) continue;
        w = (elem_walk){k + 1, e, k + 1}; /* every k: v element has its colon */
        while (ok && next_element(c, &w, &a, &b, &comprehension)) ok = is_op(c, a, "**") || element_colon(c, a, b) >= 0;
        if (!ok) continue;
        replace_s(c, k, "_airlock.merge(");
        w = (elem_walk){k + 1, e, k + 1};
        while (next_element(c, &w, &a, &b, &comprehension)) {
            if (is_op(c, a, "**")) {
                replace_s(c, a, "(");
                insert(c, c->t[b].start, -1, ",)", 2);
            } else {
                insert(c, c->t[a].start, (int64_t)1 << 30, "(", 1);
                replace_s(c, (size_t)element_colon(c, a, b), ",");
                insert(c, c->t[b].start, -1, ")", 1);
            }
        }
        replace_s(c, e, ")");
    }
}

static uint32_t name_hash(const uint8_t *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ s[i]) * 16777619u;
    return h;
}

/* Adds the name token k to this class's field names unless it is there. */
static void add_name(ctx *c, size_t k) {
    if (!c->set_tok) {
        size_t size = 64;
        while (size < 2 * c->nt) size *= 2;
        c->set_tok = zalloc(c, size, sizeof(uint32_t));
        c->set_gen = zalloc(c, size, sizeof(uint32_t));
        c->set_mask = (uint32_t)size - 1;
    }
    const tok *t = &c->t[k];
    size_t len = t->end - t->start;
    for (uint32_t h = name_hash(c->src + t->start, len) & c->set_mask;; h = (h + 1) & c->set_mask) {
        if (c->set_gen[h] != c->gen) {
            c->set_gen[h] = c->gen;
            c->set_tok[h] = (uint32_t)k;
            break;
        }
        const tok *u = &c->t[c->set_tok[h]];
        if (u->end - u->start == len && memcmp(c->src + u->start, c->src + t->start, len) == 0) return;
    }
    c->names = grow(c, c->names, &c->capnames, c->nnames + 1, sizeof(int32_t));
    c->names[c->nnames++] = (int32_t)k;
}

/* The field names and annotations of the class body from token j (after
 * its INDENT): statements "name: ann" and "name = ..." at its top level.
 * A nested block is skipped whole, and the statement after it is not
 * looked at (the Python rewriter's way). */
static void class_fields(ctx *c, size_t j) {
    c->nnames = c->nanns = 0;
    c->gen++;
    bool at_stmt = true;
    for (; j < c->nt; j++) {
        const tok *u = &c->t[j];
        if (u->kind == INDENT) j = (size_t)u->match;
        else if (u->kind == DEDENT) break;
        else if (u->kind == NL) {
            at_stmt = true;
            continue;
        } else if (at_stmt && u->kind == NAME && !word_has(c, j, W_KEYWORD)) {
            if (is_op(c, j + 1, ":")) {
                size_t m = j + 2;
                while (c->t[m].kind != NL && !is_op(c, m, "=")) m++;
                add_name(c, j);
                c->anns = grow(c, c->anns, &c->capanns, c->nanns + 1, sizeof(ann));
                c->anns[c->nanns++] = (ann){.name = (int32_t)j, .from = c->t[j + 2].start, .to = c->t[m - 1].end};
            } else if (is_op(c, j + 1, "=")) {
                add_name(c, j);
            }
        }
        at_stmt = false;
    }
}

static void put_token_literal(ctx *c, buf *b, size_t k) {
    put_literal(c, b, c->src + c->t[k].start, c->t[k].end - c->t[k].start, c->q, true);
}

static void classes(ctx *c) {
    size_t n = c->nt;
    for (size_t k = 0; k < n; k++) {
        if (!is_word(c, k, "class") || k + 1 >= n || c->t[k + 1].kind != NAME) continue;
        if (k > 0 && !at_stmt_start(c, k - 1)) continue;
        size_t j = k + 2;
        bool special = false;
        if (is_op(c, j, "(")) {
            if (c->t[j].match < 0) continue;
            size_t e = (size_t)c->t[j].match;
            for (size_t b = j + 1; b < e; b++) special |= word_has(c, b, W_SPECIAL);
            j = e + 1;
        }
        if (!is_op(c, j, ":")) continue;
        j++;
        if (c->t[j].kind == NL && j + 1 >= n) longjmp(c->fail, 1); /* the Python rewriter's IndexError */
        if (c->t[j].kind != NL || c->t[j + 1].kind != INDENT) continue; /* one-line class body: leave it alone */
        class_fields(c, j + 2);
        if (!c->nanns && !special) continue;
        buf *b = &c->scratch[0];
        b->n = 0;
        puts_(c, b, "@_airlock.cls((");
        for (size_t i = 0; i < c->nnames; i++) put_token_literal(c, b, (size_t)c->names[i]), puts_(c, b, ", ");
        puts_(c, b, "), (");
        for (size_t i = 0; i < c->nanns; i++) {
            const ann *a = &c->anns[i];
            puts_(c, b, "(");
            put_token_literal(c, b, (size_t)a->name);
            puts_(c, b, ", ");
            put_literal(c, b, c->src + a->from, a->to > a->from ? a->to - a->from : 0, c->q, true);
            puts_(c, b, "), ");
        }
        puts_(c, b, "))\n");
        size_t start = c->t[k].start, line = start;
        while (line > 0 && c->src[line - 1] != '\n') line--;
        put(c, b, c->src + line, start - line);
        insert(c, start, 0, b->p, b->n);
    }
}

/* ---- f-strings ---------------------------------------------------------------------- */

static char *rewrite_level(const uint8_t *src, size_t n, char q, int depth, size_t *out_len);

static bool contains(const uint8_t *s, size_t n, char ch) { return n && memchr(s, ch, n) != NULL; }

/* Where the field's expression ends: a top-level '!' (not "!=") or ':'. */
static size_t field_split(const uint8_t *f, size_t n) {
    long d = 0;
    uint8_t inq = 0;
    for (size_t k = 0; k < n; k++) {
        uint8_t ch = f[k];
        if (inq) {
            if (ch == inq) inq = 0;
        } else if (is_quote(ch)) inq = ch;
        else if (ch == '(' || ch == '[' || ch == '{') d++;
        else if (ch == ')' || ch == ']' || ch == '}') d--;
        else if (d == 0 && ch == '!' && !(k + 1 < n && f[k + 1] == '=')) return k;
        else if (d == 0 && ch == ':') return k;
    }
    return n;
}

static size_t utf8_char_len(const uint8_t *s, size_t n) {
    size_t k = 1;
    while (k < n && (s[k] & 0xC0) == 0x80) k++;
    return k;
}

static bool ends_with(const uint8_t *s, size_t n, const char *tail) {
    size_t len = strlen(tail);
    return n >= len && memcmp(s + n - len, tail, len) == 0;
}

/* A format spec with replacement fields, as an expression: literal parts
 * and str(field) joined by '+'; false when a '{' is not closed. */
static bool put_spec_expr(ctx *c, buf *b, const uint8_t *spec, size_t n, char oq) {
    size_t i = 0, parts = 0;
    while (i < n) {
        const uint8_t *open = memchr(spec + i, '{', n - i);
        size_t j = open ? (size_t)(open - spec) : n;
        if (j > i) {
            if (parts++) putc_(c, b, '+');
            put_literal(c, b, spec + i, j - i, oq, false);
        }
        if (!open) break;
        const uint8_t *close = memchr(spec + j, '}', n - j);
        if (!close) return false;
        if (parts++) putc_(c, b, '+');
        puts_(c, b, "str(");
        put(c, b, spec + j + 1, (size_t)(close - spec) - j - 1);
        putc_(c, b, ')');
        i = (size_t)(close - spec) + 1;
    }
    if (!parts) putc_(c, b, oq), putc_(c, b, oq);
    return true;
}

typedef enum { FIELD_FAIL, FIELD_KEEP, FIELD_NEW } field_result;

/* The replacement field f (between the braces) of an f-string quoted with
 * the other quote than oq: FIELD_NEW with the text before the field in
 * *lit_from..lit_len ("x=" of {x=}) and the new field in scratch[1];
 * FIELD_KEEP to keep it; FIELD_FAIL to leave the whole f-string alone. */
static field_result rewrite_field(ctx *c, const uint8_t *f, size_t n, char oq, size_t *lit_len) {
    size_t split = field_split(f, n), expr_len = split;
    const uint8_t *tail = f + split, *conv = tail, *spec = NULL;
    size_t tail_len = n - split, conv_len = 0, spec_len = 0;
    if (tail_len && tail[0] == '!') {
        conv_len = tail_len > 1 ? 1 + utf8_char_len(tail + 1, tail_len - 1) : 1;
        tail += conv_len, tail_len -= conv_len;
    }
    if (tail_len && tail[0] == ':') spec = tail + 1, spec_len = tail_len - 1;
    size_t s_len = expr_len;
    while (s_len && strchr(" \t\n\r\v\f", f[s_len - 1]) && f[s_len - 1]) s_len--;
    bool eq = ends_with(f, s_len, "=") && !ends_with(f, s_len, "==") && !ends_with(f, s_len, "!=") &&
              !ends_with(f, s_len, "<=") && !ends_with(f, s_len, ">=");
    *lit_len = 0;
    if (eq) {
        *lit_len = s_len;
        expr_len = s_len - 1;
        if (!conv_len && !spec_len) conv = (const uint8_t *)"!r", conv_len = 2;
    }
    if (contains(f, expr_len, oq)) return eq ? FIELD_FAIL : FIELD_KEEP;
    buf *expr = &c->scratch[2];
    expr->n = 0;
    size_t inner_len = 0;
    bool worked = needs_work(f, expr_len);
    if (worked && (c->inner = rewrite_level(f, expr_len, oq, c->depth + 1, &inner_len)) != NULL) {
        put(c, expr, c->inner, inner_len);
        free(c->inner);
        c->inner = NULL;
    } else {
        put(c, expr, f, expr_len);
    }
    if (worked && contains((uint8_t *)expr->p, expr->n, '\n')) return eq ? FIELD_FAIL : FIELD_KEEP;
    buf *b = &c->scratch[1];
    b->n = 0;
    bool need_fmt = spec_len && (contains(spec, spec_len, '%') || contains(spec, spec_len, ',') ||
                                 contains(spec, spec_len, '_') || contains(spec, spec_len, '{'));
    if (need_fmt && !contains(spec, spec_len, oq)) {
        bool r = conv_len == 2 && conv[1] == 'r', s = conv_len == 2 && conv[1] == 's';
        puts_(c, b, "_airlock.fmt(");
        puts_(c, b, r ? "repr(" : s ? "str(" : "");
        put(c, b, expr->p, expr->n);
        puts_(c, b, r || s ? "), " : ", ");
        if (contains(spec, spec_len, '{')) {
            if (!put_spec_expr(c, b, spec, spec_len, oq)) return FIELD_FAIL;
        } else {
            put_literal(c, b, spec, spec_len, oq, false);
        }
        putc_(c, b, ')');
    } else {
        put(c, b, expr->p, expr->n);
        put(c, b, conv, conv_len);
        if (spec_len) putc_(c, b, ':'), put(c, b, spec, spec_len);
    }
    return *lit_len || b->n != n || memcmp(b->p, f, n) != 0 ? FIELD_NEW : FIELD_KEEP;
}

/* Back from end over k characters (UTF-8, as the guest's str counts). */
static size_t back_chars(const uint8_t *s, size_t from, size_t end, size_t k) {
    while (k-- && end > from) {
        end--;
        while (end > from && (s[end] & 0xC0) == 0x80) end--;
    }
    return end;
}

/* Escapes the braces of the f-string literal text s into b. */
static void put_braces_doubled(ctx *c, buf *b, const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        putc_(c, b, (char)s[i]);
        if (s[i] == '{' || s[i] == '}') putc_(c, b, (char)s[i]);
    }
}

/* The f-string token k rewritten field by field into scratch[0]; false to
 * leave it as it is. */
static bool rewrite_fstring(ctx *c, size_t k, size_t p) {
    const uint8_t *text = c->src + c->t[k].start;
    size_t len = c->t[k].end - c->t[k].start;
    uint8_t quote = text[p];
    char oq = quote == '\'' ? '"' : '\'';
    bool triple = p + 2 < len && text[p + 1] == quote && text[p + 2] == quote;
    size_t bs = p + (triple ? 3 : 1), be = back_chars(text, 0, len, triple ? 3 : 1);
    if (be <= bs) return false;
    const uint8_t *body = text + bs;
    size_t n = be - bs;
    buf *out = &c->scratch[0];
    out->n = 0;
    put(c, out, text, bs);
    bool changed = false;
    for (size_t i = 0; i < n;) {
        if (body[i] == '{' && i + 1 < n && body[i + 1] == '{') {
            puts_(c, out, "{{"), i += 2;
        } else if (body[i] == '{') {
            long d = 1;
            size_t j = i + 1;
            uint8_t inq = 0;
            for (; j < n && d; j++) {
                uint8_t ch = body[j];
                if (inq) {
                    if (ch == inq) inq = 0;
                } else if (is_quote(ch)) inq = ch;
                else if (ch == '{' || ch == '[' || ch == '(') d++;
                else if (ch == '}' || ch == ']' || ch == ')') d--;
            }
            if (d) return false;
            size_t lit_len;
            field_result r = rewrite_field(c, body + i + 1, j - i - 2, oq, &lit_len);
            if (r == FIELD_FAIL) return false;
            if (r == FIELD_NEW) {
                changed = true;
                put_braces_doubled(c, out, body + i + 1, lit_len);
                putc_(c, out, '{');
                put(c, out, c->scratch[1].p, c->scratch[1].n);
            } else {
                putc_(c, out, '{');
                put(c, out, body + i + 1, j - i - 2);
            }
            putc_(c, out, '}');
            i = j;
        } else if (body[i] == '}' && i + 1 < n && body[i + 1] == '}') {
            puts_(c, out, "}}"), i += 2;
        } else {
            putc_(c, out, (char)body[i++]);
        }
    }
    put(c, out, text + be, len - be);
    return changed;
}

static void fstrings(ctx *c) {
    for (size_t k = 0; k < c->nt; k++) {
        const tok *t = &c->t[k];
        if (t->kind != STR) continue;
        const uint8_t *text = c->src + t->start;
        size_t len = t->end - t->start, p = 0;
        while (p < len && !is_quote(text[p])) p++;
        bool f = false;
        for (size_t i = 0; i < p; i++) f |= (text[i] | 0x20) == 'f';
        if (!f || !memchr(text, '{', len)) continue;
        if (rewrite_fstring(c, k, p)) replace(c, k, c->scratch[0].p, c->scratch[0].n);
    }
}

/* ---- one level ------------------------------------------------------------------------ */

static void ctx_free(ctx *c) {
    free(c->t), free(c->memo), free(c->stmt), free(c->rep), free(c->ins), free(c->text.p);
    for (size_t i = 0; i < sizeof c->scratch / sizeof c->scratch[0]; i++) free(c->scratch[i].p);
    free(c->names), free(c->anns), free(c->set_tok), free(c->set_gen), free(c->indents), free(c->stack);
    free(c->inner), free(c->out.p);
    free(c);
}

static void syntax_error(ctx *c, buf *out, size_t off, const char *msg) {
    for (size_t i = 0; i < off; i++)
        if (c->src[i] == '\n') putc_(c, out, '\n');
    puts_(c, out, "raise SyntaxError(");
    put_literal(c, out, (const uint8_t *)msg, strlen(msg), c->q, true);
    puts_(c, out, ")\n");
}

/* The rewritten src (malloc'd), or NULL for "as it is". */
static char *rewrite_level(const uint8_t *src, size_t n, char q, int depth, size_t *out_len) {
    if (depth > MAX_DEPTH || !needs_work(src, n)) return NULL;
    ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->src = src, c->n = n, c->q = q, c->depth = depth;
    if (setjmp(c->fail)) {
        ctx_free(c);
        return NULL;
    }
    tokenize(c);
    match_tokens(c);
    size_t off;
    const char *msg;
    if (unsupported(c, &off, &msg)) {
        syntax_error(c, &c->out, off, msg);
    } else {
        c->memo = zalloc(c, c->nt, sizeof(int32_t));
        for (size_t k = 0; k < c->nt; k++) c->memo[k] = -2;
        c->rep = zalloc(c, c->nt, sizeof(replacement));
        methods(c);
        slices(c);
        dicts(c);
        classes(c);
        fstrings(c);
        bool edited = c->nins > 0;
        for (size_t k = 0; k < c->nt && !edited; k++) edited = c->rep[k].set;
        if (edited) apply(c, &c->out);
    }
    char *out = c->out.p;
    *out_len = c->out.n;
    c->out.p = NULL;
    ctx_free(c);
    return out;
}

/* UTF-8 as the guest's str conversion checks it: lead bytes followed by as
 * many continuation bytes as they announce, nothing finer. */
static bool guest_utf8(const uint8_t *s, size_t n) {
    size_t need = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t b = s[i];
        if (need) {
            if ((b & 0xC0) != 0x80) return false;
            need--;
        } else if (b >= 0xF8 || (b >= 0x80 && b < 0xC0)) {
            return false;
        } else if (b >= 0xC0) {
            need = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
        }
    }
    return need == 0;
}

char *rewrite_source(const char *src, size_t len, size_t *out_len) {
    if (len >= REWRITE_MAX_SOURCE || !guest_utf8((const uint8_t *)src, len)) return NULL;
    return rewrite_level((const uint8_t *)src, len, '\'', 0, out_len);
}
