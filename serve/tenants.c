/*
 * tenants.c - who may use the server, and how much.
 *
 * The token file holds one tenant per line: its name, the sha256 of its
 * bearer token (never the token itself) and its profile:
 *
 *   # name   sha256(token), hex                                        profile
 *   alice    2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b  timeout=5 concurrent=2 rpm=600
 *
 * Profile keys: memory=SIZE fuel=N timeout=SECONDS max_output=SIZE (ceilings,
 * never above the server's own limits), concurrent=N sessions=N stored=SIZE
 * rpm=N (quotas; 0 or absent: none), grants=server|none.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"

#define MAX_TENANTS 10000

struct tenants {
    tenant_profile *p;
    size_t n;
};

void tenants_hash_hex(const char *token, char out[65]) {
    uint8_t h[32];
    sha256(token, strlen(token), h);
    for (int i = 0; i < 32; i++) snprintf(out + 2 * i, 3, "%02x", h[i]);
}

static bool parse_hex_hash(const char *s, uint8_t out[32]) {
    if (strlen(s) != 64) return false;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)s[2 * i]) || !isxdigit((unsigned char)s[2 * i + 1]) ||
            sscanf(s + 2 * i, "%2x", &v) != 1)
            return false;
        out[i] = (uint8_t)v;
    }
    return true;
}

static bool parse_count(const char *v, uint64_t max, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v || *end || n > max || *v == '-') return false;
    *out = n;
    return true;
}

/* A ceiling: a request may lower it; zero or absent means the server's. */
static uint64_t capped(uint64_t want, uint64_t server) { return want && (!server || want < server) ? want : server; }

static bool apply_key(tenant_profile *p, const char *key, const char *v, const airlock_limits *ceiling) {
    uint64_t n;
    if (strcmp(key, "memory") == 0 && parse_size(v, &n)) p->limits.memory_bytes = capped(n, ceiling->memory_bytes);
    else if (strcmp(key, "fuel") == 0 && parse_count(v, UINT64_MAX, &n)) p->limits.fuel = capped(n, ceiling->fuel);
    else if (strcmp(key, "max_output") == 0 && parse_size(v, &n))
        p->limits.max_output_bytes = capped(n, ceiling->max_output_bytes);
    else if (strcmp(key, "timeout") == 0) {
        char *end;
        double s = strtod(v, &end);
        if (end == v || *end || !(s > 0) || s > 1e7) return false;
        p->limits.timeout_seconds = ceiling->timeout_seconds > 0 && s > ceiling->timeout_seconds ? ceiling->timeout_seconds : s;
    } else if (strcmp(key, "concurrent") == 0 && parse_count(v, 1u << 20, &n)) p->max_concurrent = (uint32_t)n;
    else if (strcmp(key, "sessions") == 0 && parse_count(v, 1u << 30, &n)) p->max_sessions = (uint32_t)n;
    else if (strcmp(key, "stored") == 0 && parse_size(v, &n)) p->max_stored_bytes = n;
    else if (strcmp(key, "rpm") == 0 && parse_count(v, 1u << 30, &n)) p->requests_per_minute = (uint32_t)n;
    else if (strcmp(key, "grants") == 0 && (strcmp(v, "server") == 0 || strcmp(v, "none") == 0))
        p->grants = strcmp(v, "server") == 0;
    else return false;
    return true;
}

static bool valid_tenant_name(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > SERVE_MAX_NAME) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("_.-", s[i])) return false;
    return true;
}

static bool parse_line(char *line, tenant_profile *p, const airlock_limits *ceiling, char *why, size_t whysize) {
    char *save, *name = strtok_r(line, " \t", &save), *hash = strtok_r(NULL, " \t", &save);
    memset(p, 0, sizeof *p);
    p->limits = *ceiling;
    p->grants = true;
    if (!hash) return snprintf(why, whysize, "expected: NAME SHA256 [key=value ...]"), false;
    if (!valid_tenant_name(name)) return snprintf(why, whysize, "bad tenant name (1-128 of A-Z a-z 0-9 _ . -)"), false;
    if (!parse_hex_hash(hash, p->token_hash))
        return snprintf(why, whysize, "the second field must be a sha256 in hex (airlock serve --hash-token)"), false;
    snprintf(p->name, sizeof p->name, "%s", name);
    for (char *kv; (kv = strtok_r(NULL, " \t", &save));) {
        char *eq = strchr(kv, '=');
        if (eq) *eq = '\0';
        if (!eq || !apply_key(p, kv, eq + 1, ceiling)) return snprintf(why, whysize, "bad profile entry '%s'", kv), false;
    }
    return true;
}

static void strip(char *s) {
    char *hash = strchr(s, '#');
    if (hash) *hash = '\0';
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1])) s[--n] = '\0';
}

tenants *tenants_load(const char *path, const airlock_limits *ceiling, char *err, size_t errsize) {
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errsize, "cannot open token file %s: %s", path, strerror(errno));
        return NULL;
    }
    tenants *t = calloc(1, sizeof *t);
    char line[4096], why[160];
    int lineno = 0;
    bool ok = t != NULL;
    while (ok && fgets(line, sizeof line, f)) {
        lineno++;
        strip(line);
        if (!line[strspn(line, " \t")]) continue;
        tenant_profile p;
        if (!parse_line(line, &p, ceiling, why, sizeof why)) {
            snprintf(err, errsize, "%s:%d: %s", path, lineno, why);
            ok = false;
        } else if (t->n >= MAX_TENANTS) {
            snprintf(err, errsize, "%s: more than %d tenants", path, MAX_TENANTS);
            ok = false;
        } else {
            tenant_profile *more = realloc(t->p, (t->n + 1) * sizeof *more);
            if (!more) ok = false;
            else (t->p = more)[t->n++] = p;
        }
    }
    fclose(f);
    if (ok && t->n == 0) snprintf(err, errsize, "%s: no tenant", path), ok = false;
    if (!ok) {
        if (!t) snprintf(err, errsize, "out of memory");
        tenants_free(t);
        return NULL;
    }
    return t;
}

tenants *tenants_anonymous(const airlock_limits *ceiling) {
    tenants *t = calloc(1, sizeof *t);
    if (!t || !(t->p = calloc(1, sizeof *t->p))) {
        free(t);
        return NULL;
    }
    t->n = 1;
    snprintf(t->p->name, sizeof t->p->name, "anonymous");
    t->p->limits = *ceiling;
    t->p->grants = true;
    return t;
}

const tenant_profile *tenants_first(const tenants *t) { return t->n ? &t->p[0] : NULL; }

void tenants_free(tenants *t) {
    if (!t) return;
    free(t->p);
    free(t);
}

const tenant_profile *tenants_find(const tenants *t, const char *token) {
    uint8_t h[32];
    sha256(token, strlen(token), h);
    const tenant_profile *found = NULL;
    /* every entry is compared, so timing does not tell where a match was */
    for (size_t i = 0; i < t->n; i++)
        if (equal_in_constant_time(h, t->p[i].token_hash, 32)) found = &t->p[i];
    return found;
}

/* ---- usage: live across reloads, keyed by tenant name ------------------------------ */

typedef struct usage_entry {
    char name[SERVE_MAX_NAME + 1];
    uint32_t running;
    double tokens, refilled; /* token bucket for requests per minute */
    struct usage_entry *next;
} usage_entry;

struct tenant_usage {
    pthread_mutex_t lock;
    usage_entry *head;
};

tenant_usage *usage_new(void) {
    tenant_usage *u = calloc(1, sizeof *u);
    if (u) pthread_mutex_init(&u->lock, NULL);
    return u;
}

void usage_free(tenant_usage *u) {
    if (!u) return;
    for (usage_entry *e = u->head, *next; e; e = next) {
        next = e->next;
        free(e);
    }
    pthread_mutex_destroy(&u->lock);
    free(u);
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The entry of p's tenant (caller holds the lock); NULL if out of memory. */
static usage_entry *entry_of(tenant_usage *u, const tenant_profile *p) {
    for (usage_entry *e = u->head; e; e = e->next)
        if (strcmp(e->name, p->name) == 0) return e;
    usage_entry *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    snprintf(e->name, sizeof e->name, "%s", p->name);
    e->tokens = p->requests_per_minute;
    e->refilled = now_seconds();
    e->next = u->head;
    u->head = e;
    return e;
}

int usage_admit(tenant_usage *u, const tenant_profile *p) {
    if (!p->requests_per_minute) return 0;
    pthread_mutex_lock(&u->lock);
    usage_entry *e = entry_of(u, p);
    int wait = 1;
    if (e) {
        double rate = p->requests_per_minute / 60.0, t = now_seconds();
        e->tokens = fmin(p->requests_per_minute, e->tokens + (t - e->refilled) * rate);
        e->refilled = t;
        if (e->tokens >= 1) {
            e->tokens -= 1;
            wait = 0;
        } else {
            wait = (int)ceil((1 - e->tokens) / rate);
        }
    }
    pthread_mutex_unlock(&u->lock);
    return wait;
}

bool usage_exec_begin(tenant_usage *u, const tenant_profile *p) {
    pthread_mutex_lock(&u->lock);
    usage_entry *e = entry_of(u, p);
    bool ok = e && (!p->max_concurrent || e->running < p->max_concurrent);
    if (ok) e->running++;
    pthread_mutex_unlock(&u->lock);
    return ok;
}

void usage_exec_end(tenant_usage *u, const tenant_profile *p) {
    pthread_mutex_lock(&u->lock);
    usage_entry *e = entry_of(u, p);
    if (e && e->running) e->running--;
    pthread_mutex_unlock(&u->lock);
}
