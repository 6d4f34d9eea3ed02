/*
 * chaos.c - the threading contract under fire.
 *
 *   chaos THREADS SECONDS
 *
 * THREADS threads share one runtime and a small table of sandbox slots.
 * For SECONDS each thread picks random operations on random slots: create
 * a sandbox (fresh or a clone), execute one of several programs (a quick
 * one whose output is checked, an endless loop, one that swallows
 * KeyboardInterrupt so only a hard stop ends it, one that traps), interrupt
 * whatever that slot is doing, or free the slot's sandbox. Interrupts
 * arrive at any moment of an execution, including while a hard stop or a
 * trap replaces the sandbox's vm (sandbox_recover). Built with
 * -fsanitize=thread (make tsan) or address, a data race or a use after free
 * is reported by the sanitizer and fails the run.
 *
 * The rules of the API are kept, as an embedder must: one thread at a time
 * executes or frees a sandbox (the slot's `use` lock), and nobody
 * interrupts a sandbox being freed (`life`: interrupters share it, the
 * freeing thread takes it alone); interrupts do not wait for executions.
 *
 * Prints the figures and "N passed, M failed" (one check per operation).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "airlock.h"

#define SLOTS 6

typedef struct slot {
    pthread_mutex_t use;    /* held to execute on or free the sandbox */
    pthread_rwlock_t life;  /* read: interrupting; write: freeing */
    airlock_sandbox *sb;    /* changes under both locks */
    atomic_bool full;       /* sb != NULL, readable without the locks */
} slot;

static slot slots[SLOTS];
static airlock_runtime *rt;
static atomic_long passed, failed, interrupts, execs, frees, creations;
static atomic_int reported;
static double until;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void check(int ok, const char *what, const char *detail) {
    if (ok) {
        atomic_fetch_add(&passed, 1);
        return;
    }
    atomic_fetch_add(&failed, 1);
    if (atomic_fetch_add(&reported, 1) < 20) printf("FAIL  %s: %s\n", what, detail ? detail : "");
}

/* The programs, and the outcomes each may have. */
typedef struct program {
    const char *code;
    int ok_rcs;             /* bit mask of acceptable AIRLOCK_* codes */
    const char *stdout_if_ok;
} program;

#define RC(x) (1 << (x))
static const program programs[] = {
    {"print(sum(range(1000)))", RC(AIRLOCK_OK) | RC(AIRLOCK_LIMIT), "499500\n"},
    {"while True: pass", RC(AIRLOCK_LIMIT), NULL},
    {"while True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass\n",
     RC(AIRLOCK_LIMIT), NULL},
    {"x = [0] * 2**30", RC(AIRLOCK_TRAP) | RC(AIRLOCK_ERROR) | RC(AIRLOCK_LIMIT), NULL},
    {"s = 'x' * 100000\nprint(len(s))", RC(AIRLOCK_OK) | RC(AIRLOCK_LIMIT), "100000\n"},
};

/* Operations that need a slot to themselves skip a busy one (another
 * thread executes there): the threads keep moving and interrupting. */
static void do_exec(slot *s, unsigned *seed) {
    if (pthread_mutex_trylock(&s->use) != 0) return;
    if (s->sb) {
        const program *p = &programs[rand_r(seed) % (sizeof programs / sizeof *programs)];
        int rc = airlock_sandbox_exec(s->sb, p->code, strlen(p->code));
        int ok = (p->ok_rcs & RC(rc)) != 0;
        if (ok && rc == AIRLOCK_OK && p->stdout_if_ok) ok = strcmp(airlock_sandbox_stdout(s->sb, NULL), p->stdout_if_ok) == 0;
        check(ok, p->code, airlock_sandbox_errmsg(s->sb));
        atomic_fetch_add(&execs, 1);
    }
    pthread_mutex_unlock(&s->use);
}

/* Fill an empty slot with a fresh sandbox or a clone of another slot's. */
static void do_create(slot *s, slot *other) {
    if (atomic_load(&s->full)) return;
    airlock_sandbox *sb = NULL;
    int rc;
    /* a clone needs its source to itself for the copy: try, don't wait */
    if (other != s && pthread_mutex_trylock(&other->use) == 0) {
        rc = other->sb ? airlock_sandbox_clone(other->sb, &sb) : airlock_sandbox_new(rt, &sb);
        pthread_mutex_unlock(&other->use);
    } else {
        rc = airlock_sandbox_new(rt, &sb);
    }
    check(rc == AIRLOCK_OK, "create", airlock_sandbox_errmsg(sb));
    if (rc != AIRLOCK_OK) {
        airlock_sandbox_free(sb);
        return;
    }
    atomic_fetch_add(&creations, 1);
    if (pthread_mutex_trylock(&s->use) != 0) {
        airlock_sandbox_free(sb);
        return;
    }
    pthread_rwlock_wrlock(&s->life);
    airlock_sandbox *old = s->sb;
    s->sb = sb;
    atomic_store(&s->full, true);
    pthread_rwlock_unlock(&s->life);
    pthread_mutex_unlock(&s->use);
    airlock_sandbox_free(old);
}

static void do_free(slot *s, int wait) {
    if (wait) pthread_mutex_lock(&s->use);
    else if (pthread_mutex_trylock(&s->use) != 0) return;
    pthread_rwlock_wrlock(&s->life);
    airlock_sandbox *old = s->sb;
    s->sb = NULL;
    atomic_store(&s->full, false);
    pthread_rwlock_unlock(&s->life);
    pthread_mutex_unlock(&s->use);
    if (old) atomic_fetch_add(&frees, 1);
    airlock_sandbox_free(old);
}

static void do_interrupt(slot *s) {
    pthread_rwlock_rdlock(&s->life);
    airlock_sandbox_interrupt(s->sb); /* NULL is fine */
    pthread_rwlock_unlock(&s->life);
    atomic_fetch_add(&interrupts, 1);
}

static void *worker(void *arg) {
    unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u;
    while (now() < until) {
        slot *s = &slots[rand_r(&seed) % SLOTS];
        unsigned op = rand_r(&seed) % 100;
        if (op < 45) {
            /* then a pause of up to 2 ms, so interrupts fall at random
             * moments of the executions instead of flooding them */
            do_interrupt(s);
            nanosleep(&(struct timespec){0, (long)(rand_r(&seed) % 2000) * 1000}, NULL);
        }
        else if (op < 85) do_exec(s, &seed);
        else if (op < 95) do_create(s, &slots[rand_r(&seed) % SLOTS]);
        else do_free(s, 0);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: chaos THREADS SECONDS\n");
        return 2;
    }
    int threads = atoi(argv[1]);
    double seconds = atof(argv[2]);
    if (threads < 1 || threads > 64 || seconds <= 0) return 2;
    /* a timeout bounds the endless programs even when no interrupt comes */
    airlock_limits lim = {.size = sizeof(airlock_limits), .timeout_seconds = 0.5};
    if (airlock_runtime_new(&rt) != AIRLOCK_OK || airlock_runtime_set_limits(rt, &lim) != AIRLOCK_OK) return 2;
    for (int i = 0; i < SLOTS; i++) {
        pthread_mutex_init(&slots[i].use, NULL);
        pthread_rwlock_init(&slots[i].life, NULL);
    }
    double start = now();
    until = start + seconds;
    pthread_t tids[64];
    for (int t = 0; t < threads; t++)
        if (pthread_create(&tids[t], NULL, worker, (void *)(uintptr_t)(t + 1)) != 0) return 2;
    for (int t = 0; t < threads; t++) pthread_join(tids[t], NULL);
    for (int i = 0; i < SLOTS; i++) do_free(&slots[i], 1);
    airlock_runtime_free(rt);
    printf("chaos: %d threads, %.0f s: %ld executions, %ld interrupts, %ld creations, %ld frees\n", threads,
           now() - start, atomic_load(&execs), atomic_load(&interrupts), atomic_load(&creations),
           atomic_load(&frees));
    printf("chaos: %ld passed, %ld failed\n", atomic_load(&passed), atomic_load(&failed));
    return atomic_load(&failed) ? 1 : 0;
}
