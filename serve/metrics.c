/*
 * metrics.c - what /metrics reports, in Prometheus' text format: execs by
 * outcome, exec latency, limits hit, store latency and errors, HTTP
 * replies by status, sessions alive, workers.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
#define N_BOUNDS (sizeof bounds / sizeof *bounds)

static const char *const outcomes[] = {"ok", "error", "limit", "failed"};
static const char *const limit_names[] = {"fuel", "timeout", "memory", "output", "interrupt", "stack"};
#define N_OUTCOMES (sizeof outcomes / sizeof *outcomes)
#define N_LIMITS (sizeof limit_names / sizeof *limit_names)

typedef struct histogram {
    uint64_t bucket[N_BOUNDS + 1];
    uint64_t count;
    double sum;
} histogram;

struct metrics {
    pthread_mutex_t lock;
    uint64_t execs[N_OUTCOMES];
    uint64_t limits[N_LIMITS];
    histogram exec_seconds, store_seconds;
    uint64_t store_errors;
    uint64_t http[6]; /* by class: 1xx..5xx */
};

metrics *metrics_new(void) {
    metrics *m = calloc(1, sizeof *m);
    if (m) pthread_mutex_init(&m->lock, NULL);
    return m;
}

void metrics_free(metrics *m) {
    if (!m) return;
    pthread_mutex_destroy(&m->lock);
    free(m);
}

static void observe(histogram *h, double v) {
    size_t i = 0;
    while (i < N_BOUNDS && v > bounds[i]) i++;
    h->bucket[i]++;
    h->count++;
    h->sum += v;
}

static size_t index_of(const char *const *names, size_t n, const char *name) {
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0) return i;
    return n;
}

void metrics_exec(metrics *m, const char *outcome, const char *limit, double seconds) {
    pthread_mutex_lock(&m->lock);
    size_t o = index_of(outcomes, N_OUTCOMES, outcome), l = index_of(limit_names, N_LIMITS, limit);
    if (o < N_OUTCOMES) m->execs[o]++;
    if (l < N_LIMITS) m->limits[l]++;
    observe(&m->exec_seconds, seconds);
    pthread_mutex_unlock(&m->lock);
}

void metrics_store(metrics *m, double seconds, bool error) {
    pthread_mutex_lock(&m->lock);
    observe(&m->store_seconds, seconds);
    if (error) m->store_errors++;
    pthread_mutex_unlock(&m->lock);
}

void metrics_http(metrics *m, unsigned status) {
    pthread_mutex_lock(&m->lock);
    if (status >= 100 && status < 600) m->http[status / 100]++;
    pthread_mutex_unlock(&m->lock);
}

/* A growing text buffer. */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = t->s ? vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap) : -1;
        va_end(ap);
        if (n >= 0 && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 4096;
        char *more = realloc(t->s, cap);
        if (!more) return;
        t->s = more;
        t->cap = cap;
    }
}

static void add_histogram(text *t, const char *name, const char *help, const histogram *h) {
    add(t, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    uint64_t cumulative = 0;
    for (size_t i = 0; i < N_BOUNDS; i++) {
        cumulative += h->bucket[i];
        add(t, "%s_bucket{le=\"%g\"} %llu\n", name, bounds[i], (unsigned long long)cumulative);
    }
    add(t, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name, (unsigned long long)h->count, name,
        h->sum, name, (unsigned long long)h->count);
}

char *metrics_render(metrics *m, int64_t sessions_live, int running, int workers, uint64_t restarts) {
    text t = {0};
    pthread_mutex_lock(&m->lock);
    add(&t, "# HELP airlock_execs_total Executions by outcome.\n# TYPE airlock_execs_total counter\n");
    for (size_t i = 0; i < N_OUTCOMES; i++)
        add(&t, "airlock_execs_total{outcome=\"%s\"} %llu\n", outcomes[i], (unsigned long long)m->execs[i]);
    add(&t, "# HELP airlock_limits_hit_total Executions stopped by a limit.\n# TYPE airlock_limits_hit_total counter\n");
    for (size_t i = 0; i < N_LIMITS; i++)
        add(&t, "airlock_limits_hit_total{limit=\"%s\"} %llu\n", limit_names[i], (unsigned long long)m->limits[i]);
    add_histogram(&t, "airlock_exec_seconds", "Execution latency, worker round trip included.", &m->exec_seconds);
    add_histogram(&t, "airlock_store_seconds", "Session store call latency.", &m->store_seconds);
    add(&t, "# HELP airlock_store_errors_total Failed store calls.\n# TYPE airlock_store_errors_total counter\n"
            "airlock_store_errors_total %llu\n", (unsigned long long)m->store_errors);
    add(&t, "# HELP airlock_http_responses_total HTTP responses by status class.\n"
            "# TYPE airlock_http_responses_total counter\n");
    for (int c = 1; c <= 5; c++)
        add(&t, "airlock_http_responses_total{code=\"%dxx\"} %llu\n", c, (unsigned long long)m->http[c]);
    pthread_mutex_unlock(&m->lock);
    add(&t, "# HELP airlock_sessions_live Sessions in the store (-1: too many to count).\n"
            "# TYPE airlock_sessions_live gauge\nairlock_sessions_live %lld\n", (long long)sessions_live);
    add(&t, "# HELP airlock_execs_running Execs running on a worker now.\n"
            "# TYPE airlock_execs_running gauge\nairlock_execs_running %d\n", running);
    add(&t, "# HELP airlock_workers Worker processes.\n# TYPE airlock_workers gauge\nairlock_workers %d\n", workers);
    add(&t, "# HELP airlock_worker_restarts_total Workers replaced after dying.\n"
            "# TYPE airlock_worker_restarts_total counter\nairlock_worker_restarts_total %llu\n",
        (unsigned long long)restarts);
    return t.s;
}
