/*
 * stress.c - many sandboxes at once, and many runs in one process.
 *
 *   stress threads T N    T threads share one runtime; each creates N
 *                         one-shot sandboxes. Every sandbox prints its own
 *                         (thread, index) id and must see none of the marks
 *                         earlier sandboxes left in builtins, sys.modules or
 *                         __main__, nor anything of the other threads.
 *   stress soak M         M sequential runs in one process (fresh sandboxes,
 *                         a long-lived session, clones, traps and limit
 *                         stops); resident memory after the run may exceed
 *                         its level after warm-up by at most 10%.
 *
 * Prints "N passed, M failed" where each pass/fail is one check (one
 * sandbox's output, or the memory check).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "airlock.h"

static atomic_long passed, failed;
static atomic_int reported; /* failures printed, so a flood stays readable */

static void fail(const char *fmt, const char *a, const char *b) {
    atomic_fetch_add(&failed, 1);
    if (atomic_fetch_add(&reported, 1) < 20) {
        printf("FAIL  ");
        printf(fmt, a, b);
        printf("\n");
    }
}

/* ---- threads: no cross-talk -------------------------------------------- */

typedef struct worker {
    airlock_runtime *rt;
    int id;
    int count;
} worker;

/* The program each sandbox runs: look for any mark, leave its own, print. */
static const char probe_fmt[] =
    "import builtins, sys\n"
    "seen = [n for n in dir(builtins) if n.startswith('mark_')]\n"
    "seen += [n for n in sys.modules if n.startswith('mark_')]\n"
    "seen += [n for n in globals() if n.startswith('mark_')]\n"
    "setattr(builtins, 'mark_%d_%d', 1)\n"
    "sys.modules['mark_%d_%d'] = sys\n"
    "mark_%d_%d = 1\n"
    "print('%d %d', seen)\n";

static void one_sandbox(worker *w, int i) {
    char code[1024], want[64];
    snprintf(code, sizeof code, probe_fmt, w->id, i, w->id, i, w->id, i, w->id, i);
    snprintf(want, sizeof want, "%d %d []\n", w->id, i);
    airlock_sandbox *sb = NULL;
    if (airlock_sandbox_new(w->rt, &sb) != AIRLOCK_OK) {
        fail("sandbox_new: %s%s", airlock_sandbox_errmsg(sb), "");
        airlock_sandbox_free(sb);
        return;
    }
    int rc = airlock_sandbox_exec(sb, code, strlen(code));
    const char *out = airlock_sandbox_stdout(sb, NULL);
    if (rc != AIRLOCK_OK)
        fail("exec failed: %s %s", airlock_sandbox_errmsg(sb), airlock_sandbox_error_message(sb) ? airlock_sandbox_error_message(sb) : "");
    else if (strcmp(out, want) != 0)
        fail("cross-talk: printed '%s', want '%s'", out, want);
    else
        atomic_fetch_add(&passed, 1);
    airlock_sandbox_free(sb);
}

static void *worker_main(void *arg) {
    worker *w = arg;
    for (int i = 0; i < w->count; i++) one_sandbox(w, i);
    return NULL;
}

static int run_threads(int threads, int count) {
    airlock_runtime *rt = NULL;
    if (airlock_runtime_new(&rt) != AIRLOCK_OK) return 2;
    worker *ws = calloc((size_t)threads, sizeof *ws);
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!ws || !tids) return 2;
    for (int t = 0; t < threads; t++) {
        ws[t] = (worker){rt, t, count};
        if (pthread_create(&tids[t], NULL, worker_main, &ws[t]) != 0) return 2;
    }
    for (int t = 0; t < threads; t++) pthread_join(tids[t], NULL);
    free(ws);
    free(tids);
    airlock_runtime_free(rt);
    return 0;
}

/* ---- soak: resident memory stays flat ------------------------------------ */

static long resident_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0;
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static int expect_exec(airlock_sandbox *sb, const char *code, int want_rc, const char *want_out) {
    int rc = airlock_sandbox_exec(sb, code, strlen(code));
    if (rc != want_rc || (want_out && strcmp(airlock_sandbox_stdout(sb, NULL), want_out) != 0)) {
        fail("soak: '%s' -> %s", code, airlock_sandbox_errmsg(sb));
        return 0;
    }
    return 1;
}

/* One step of the soak: which kind of run depends on i, so every kind
 * recurs throughout and any per-kind leak shows up as growth. Traps (about
 * 110 ms: the overflow scribbles the whole heap, then the undo log puts it
 * back) and clones (a copy of the whole memory) are the rare kinds. */
static int soak_step(airlock_runtime *rt, airlock_sandbox *session, long i) {
    airlock_sandbox *sb = NULL;
    int ok = 1;
    switch (i % 64) {
    case 0: case 8: case 16: case 24: case 32: case 40: case 48: case 56:
        /* the long-lived session: state replaced, not accumulated */
        return expect_exec(session, "x = [str(i) for i in range(200)]\nprint(len(x))", AIRLOCK_OK, "200\n");
    case 1: /* a clone of the session */
        if (airlock_sandbox_clone(session, &sb) != AIRLOCK_OK) break;
        ok = expect_exec(sb, "print(len(x))", AIRLOCK_OK, "200\n");
        break;
    case 2: /* a trap, rolled back */
        return expect_exec(session, "y = [0] * 2**30", AIRLOCK_TRAP, NULL);
    case 3: case 35: { /* a limit stop, with the session kept */
        airlock_limits lim = {.size = sizeof(airlock_limits), .fuel = 2000000};
        airlock_sandbox_set_limits(session, &lim);
        ok = expect_exec(session, "while True: pass", AIRLOCK_LIMIT, NULL);
        lim.fuel = 0;
        airlock_sandbox_set_limits(session, &lim);
        return ok;
    }
    case 4: case 20: case 36: case 52: /* an exception with a traceback */
        return expect_exec(session, "raise ValueError('v' * 100)", AIRLOCK_ERROR, NULL);
    default: /* a fresh one-shot sandbox */
        if (airlock_sandbox_new(rt, &sb) != AIRLOCK_OK) break;
        ok = expect_exec(sb, "import json\nprint(json.dumps({'a': [1, 2]}))", AIRLOCK_OK, "{\"a\": [1, 2]}\n");
        break;
    }
    airlock_sandbox_free(sb);
    return ok;
}

static int run_soak(long runs) {
    airlock_runtime *rt = NULL;
    airlock_sandbox *session = NULL;
    if (airlock_runtime_new(&rt) != AIRLOCK_OK || airlock_sandbox_new(rt, &session) != AIRLOCK_OK) return 2;
    long warmup = runs / 10 > 200 ? runs / 10 : 200;
    long base = 0, peak = 0;
    for (long i = 0; i < runs + warmup; i++) {
        if (soak_step(rt, session, i)) atomic_fetch_add(&passed, 1);
        if (i + 1 == warmup) base = resident_kib();
        if (i >= warmup && resident_kib() > peak) peak = resident_kib();
    }
    airlock_sandbox_free(session);
    airlock_runtime_free(rt);
    printf("soak: %ld runs after %ld warm-up runs; resident %ld KiB after warm-up, peak %ld KiB after\n", runs, warmup,
           base, peak);
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer's quarantine holds freed memory back on purpose:
     * resident memory grows by design, so the check means nothing here. */
    printf("soak: memory check skipped under AddressSanitizer\n");
#else
    char a[32], b[32];
    snprintf(a, sizeof a, "%ld", peak);
    snprintf(b, sizeof b, "%ld", base + base / 10);
    if (peak > base + base / 10)
        fail("resident memory grew: peak %s KiB, allowed %s KiB", a, b);
    else
        atomic_fetch_add(&passed, 1);
#endif
    return 0;
}

int main(int argc, char **argv) {
    int rc = 2;
    if (argc == 4 && strcmp(argv[1], "threads") == 0)
        rc = run_threads(atoi(argv[2]), atoi(argv[3]));
    else if (argc == 3 && strcmp(argv[1], "soak") == 0)
        rc = run_soak(atol(argv[2]));
    else
        fprintf(stderr, "usage: stress threads T N | stress soak M\n");
    if (rc) return rc;
    printf("stress: %ld passed, %ld failed\n", atomic_load(&passed), atomic_load(&failed));
    return atomic_load(&failed) ? 1 : 0;
}
