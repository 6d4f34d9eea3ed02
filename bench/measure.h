/*
 * measure.h - what the in-process benchmark harnesses share (harness.c,
 * cpython_guest.c): options, clocks, samples and their S/R output lines
 * (format: harness.c), workload files.
 */
#ifndef AIRLOCK_BENCH_MEASURE_H
#define AIRLOCK_BENCH_MEASURE_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUN_MARKER "# --- run ---\n"

static const char *impl = "airlock";
static long reps_opt = 0;        /* 0: the command's default */
static double max_seconds = 20;
static long warmup = 1;
static long min_reps = 3;        /* taken even past --max-seconds */

static inline void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("harness: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static inline double clock_us(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static inline double now_us(void) { return clock_us(CLOCK_MONOTONIC); }
/* CPU time of this thread: unlike wall time, not inflated when other
 * processes compete for the cores. */
static inline double cpu_us(void) { return clock_us(CLOCK_THREAD_CPUTIME_ID); }

/* ---- samples ---------------------------------------------------------- */

typedef struct {
    double *v;
    size_t n, cap;
} samples;

static inline void push(samples *s, double x) {
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        if (!s->v) die("out of memory");
    }
    s->v[s->n++] = x;
}

static inline int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline void report(const char *metric, const char *unit, samples *s) {
    if (s->n == 0) die("%s: no samples", metric);
    printf("S\t%s\t%s\t%s\t", impl, metric, unit);
    for (size_t i = 0; i < s->n; i++) printf("%s%.3f", i ? "," : "", s->v[i]);
    putchar('\n');
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    double med = s->n % 2 ? s->v[s->n / 2] : (s->v[s->n / 2 - 1] + s->v[s->n / 2]) / 2;
    printf("R\t%s\t%s\t%s\tn=%zu\tmedian=%.3f\tmin=%.3f\tmax=%.3f\n", impl, metric, unit, s->n, med,
           s->v[0], s->v[s->n - 1]);
    fflush(stdout);
    free(s->v);
    *s = (samples){0};
}

/* Wall-clock and thread-CPU samples of one measurement. */
typedef struct {
    samples wall, cpu;
    double started, t0, c0;
} timing;

static inline void timing_begin(timing *t) {
    *t = (timing){0};
    t->started = now_us();
}

static inline void rep_begin(timing *t) {
    t->c0 = cpu_us();
    t->t0 = now_us();
}

static inline void rep_end(timing *t) {
    double w = now_us() - t->t0;
    push(&t->cpu, cpu_us() - t->c0);
    push(&t->wall, w);
}

/* metric: wall time; metric.cpu: thread CPU time */
static inline void timing_report(timing *t, const char *metric) {
    char cpu_metric[80];
    snprintf(cpu_metric, sizeof cpu_metric, "%s.cpu", metric);
    report(metric, "us", &t->wall);
    report(cpu_metric, "us", &t->cpu);
}

/* Should another repetition run? */
static inline int more(const samples *s, long reps, double started) {
    if ((long)s->n >= reps) return 0;
    if ((long)s->n >= min_reps && now_us() - started > max_seconds * 1e6) return 0;
    return 1;
}

/* The leading --impl/--reps/--max-seconds/--warmup/--min-reps; the index
 * of the first command. */
static inline int measure_options(int argc, char **argv, void (*usage)(void)) {
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (i + 1 >= argc) usage();
        if (strcmp(argv[i], "--impl") == 0) impl = argv[i + 1];
        else if (strcmp(argv[i], "--reps") == 0) reps_opt = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--max-seconds") == 0) max_seconds = strtod(argv[i + 1], NULL);
        else if (strcmp(argv[i], "--warmup") == 0) warmup = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--min-reps") == 0) min_reps = strtol(argv[i + 1], NULL, 10);
        else usage();
    }
    if (i >= argc) usage();
    return i;
}

static inline char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) die("%s: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    if (!buf) die("out of memory");
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf) die("out of memory");
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0) break;
        n += got;
    }
    if (ferror(f)) die("%s: read error", path);
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* "bench/workloads/fib.py" -> "fib" */
static inline void workload_name(const char *path, char *out, size_t size) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, ".");
    if (n >= size) n = size - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

#endif
