/*
 * cpython_guest.c - the CPython guest's in-process benchmark harness.
 *
 *   cpython_guest [--impl NAME] [--reps N] [--max-seconds S] [--warmup N]
 *                 [--min-reps N] COMMAND...
 *
 * Starts from the snapshot every runtime uses (src/guests/cpython/snapshot.c:
 * the build-time image, driver loaded), then:
 *   fresh           a fresh interpreter from the snapshot, made and freed
 *   fresh-exec      the same, with its first exec("x = 1 + 1"): ready and used once
 *   sandbox         airlock_sandbox_new + airlock_sandbox_free with the CPython
 *                   guest (its runtime booted before): what the API's user waits for
 *   sandbox-exec    the same, with a first airlock_sandbox_exec("x = 1 + 1")
 *   workload FILE   as harness.c's: the set-up once in a fresh interpreter,
 *                   the timed part --reps times in it
 * Output: harness.c's S/R lines (measure.h). The interpreter runs on a
 * thread with a 256 MiB stack, as tests/cpython/run.c's.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>

#include "airlock.h"
#include "guests/cpython/cpython_guest.h"
#include "measure.h"

static cpython_snapshot *snap;
static const cpython_options options = {0};

static cpython_vm *fresh(void) {
    cpython_vm *c = cpython_new_from_snapshot(snap, &options);
    if (!c) die("cpython_new_from_snapshot failed");
    return c;
}

static void run(cpython_vm *c, const char *src, const char *what) {
    int trap;
    int rc = cpython_exec(c, src, &trap);
    if (rc != CPYTHON_OK) die("%s: exec returned %d (trap %d): %.300s", what, rc, trap, cpython_output(c, 1));
}

static void bench_fresh(int with_exec) {
    const char *metric = with_exec ? "fresh_exec" : "fresh";
    long reps = reps_opt ? reps_opt : 2000;
    timing t;
    for (long i = 0; i < warmup; i++) cpython_free(fresh());
    timing_begin(&t);
    while (more(&t.wall, reps, t.started)) {
        rep_begin(&t);
        cpython_vm *c = fresh();
        if (with_exec) run(c, "x = 1 + 1", metric);
        cpython_free(c);
        rep_end(&t);
    }
    timing_report(&t, metric);
}

/* Fresh sandboxes of one CPython runtime through the public API. */
static void bench_sandbox(int with_exec) {
    const char *metric = with_exec ? "sandbox_exec" : "sandbox";
    static const char src[] = "x = 1 + 1";
    long reps = reps_opt ? reps_opt : 2000;
    airlock_runtime *rt;
    airlock_sandbox *sb;
    if (airlock_runtime_new(&rt) != AIRLOCK_OK || airlock_runtime_set_guest(rt, "cpython") != AIRLOCK_OK)
        die("no CPython runtime");
    if (airlock_sandbox_new(rt, &sb) != AIRLOCK_OK) die("%s: %s", metric, airlock_sandbox_errmsg(sb));
    airlock_sandbox_free(sb); /* the runtime's boot */
    timing t;
    timing_begin(&t);
    while (more(&t.wall, reps, t.started)) {
        rep_begin(&t);
        if (airlock_sandbox_new(rt, &sb) != AIRLOCK_OK) die("%s: %s", metric, airlock_sandbox_errmsg(sb));
        if (with_exec && airlock_sandbox_exec(sb, src, sizeof src - 1) != AIRLOCK_OK)
            die("%s: %s", metric, airlock_sandbox_errmsg(sb));
        airlock_sandbox_free(sb);
        rep_end(&t);
    }
    airlock_runtime_free(rt);
    timing_report(&t, metric);
}

static void bench_workload(const char *path) {
    size_t len;
    char *src = slurp(path, &len);
    char *mark = strstr(src, RUN_MARKER);
    if (!mark) die("%s: no line \"# --- run ---\"", path);
    *mark = '\0';
    const char *body = mark + strlen(RUN_MARKER);
    char name[64];
    workload_name(path, name, sizeof name);
    long reps = reps_opt ? reps_opt : 10;
    cpython_vm *c = fresh();
    run(c, src, name);
    for (long i = 0; i < warmup; i++) run(c, body, name);
    timing t;
    timing_begin(&t);
    while (more(&t.wall, reps, t.started)) {
        rep_begin(&t);
        run(c, body, name);
        rep_end(&t);
    }
    fprintf(stderr, "cpython_guest: %s/%s: fuel_used %llu (last run)\n", impl, name,
            (unsigned long long)cpython_fuel_used(c));
    cpython_free(c);
    free(src);
    timing_report(&t, name);
}

static void usage(void) {
    fputs("usage: cpython_guest [--impl NAME] [--reps N] [--max-seconds S] [--warmup N] [--min-reps N]\n"
          "                     {fresh | fresh-exec | sandbox | sandbox-exec | workload FILE}...\n",
          stderr);
    exit(2);
}

typedef struct job {
    int argc, first;
    char **argv;
} job;

static void *run_job(void *arg) {
    job *j = arg;
    char why[200];
    int trap = 0;
    snap = cpython_snapshot_prebuilt(why, sizeof why);
    if (!snap && why[0]) die("the built-in snapshot is unusable: %s", why);
    if (!snap) snap = cpython_runtime_snapshot(0, &trap);
    if (!snap) die("the boot failed (trap %d)", trap);
    for (int i = j->first; i < j->argc; i++) {
        const char *cmd = j->argv[i];
        if (strcmp(cmd, "fresh") == 0) bench_fresh(0);
        else if (strcmp(cmd, "fresh-exec") == 0) bench_fresh(1);
        else if (strcmp(cmd, "sandbox") == 0) bench_sandbox(0);
        else if (strcmp(cmd, "sandbox-exec") == 0) bench_sandbox(1);
        else if (strcmp(cmd, "workload") == 0 && i + 1 < j->argc) bench_workload(j->argv[++i]);
        else usage();
    }
    cpython_snapshot_free(snap);
    return NULL;
}

#define GUEST_STACK (256u << 20)

int main(int argc, char **argv) {
    job j = {argc, measure_options(argc, argv, usage), argv};
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, GUEST_STACK);
    if (pthread_create(&t, &attr, run_job, &j) != 0) die("cannot start the guest thread");
    pthread_join(t, NULL);
    return 0;
}
