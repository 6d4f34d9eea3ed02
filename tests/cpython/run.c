/*
 * run.c - the CPython guest's first runner (make cpython: build/cpython/run).
 *
 *   run [--memory-mb N] [--timeout S] [--stack-mb N] [--times] -c SOURCE [-c SOURCE...]
 *
 * Boots one interpreter and runs each SOURCE in it, in order, printing what
 * each run wrote to stdout and stderr. Exit status: 0 if every run ran, 1 if
 * one raised, 2 for bad usage, 3 if a run trapped (the message says which
 * trap; the process is fine), 4 if the boot failed, or the guest's own
 * status after sys.exit(). --times prints boot and per-run wall time (µs)
 * on stderr. The interpreter runs on a thread with a large stack (256 MiB,
 * or --stack-mb), so that CPython's own recursion guards fire before the
 * native stack runs out.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cpython_guest.h"
#include "runtime/vm.h"

#define MAX_SOURCES 64
#define GUEST_STACK_MB 256

typedef struct job {
    cpython_options opt;
    const char *sources[MAX_SOURCES];
    int count;
    int times;
    size_t stack_mb;
    int status;
} job;

static double now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void report_trap(cpython_vm *c, int trap) {
    const char *js = cpython_refused_import(c);
    fprintf(stderr, "run: guest trapped: %s%s%s\n", vm_trap_message(trap), js ? ": " : "", js ? js : "");
}

static void *run_job(void *arg) {
    job *j = arg;
    int trap;
    double t0 = now_us();
    cpython_vm *c = cpython_boot(&j->opt, &trap);
    double t1 = now_us();
    if (!c || trap) {
        fputs(c ? cpython_output(c, 1) : "", stderr);
        if (c) report_trap(c, trap);
        fprintf(stderr, "run: boot failed\n");
        j->status = 4;
        cpython_free(c);
        return NULL;
    }
    if (j->times) fprintf(stderr, "boot_us %.0f\n", t1 - t0);
    for (int i = 0; i < j->count && j->status == 0; i++) {
        double s = now_us();
        int rc = cpython_exec(c, j->sources[i], &trap);
        double e = now_us();
        fputs(cpython_output(c, 0), stdout);
        fflush(stdout);
        fputs(cpython_output(c, 1), stderr);
        if (j->times) fprintf(stderr, "run%d_us %.1f\n", i, e - s);
        if (rc == CPYTHON_RAISED) j->status = 1;
        if (rc == CPYTHON_EXITED) j->status = cpython_exit_status(c);
        if (rc == CPYTHON_TRAPPED) {
            report_trap(c, trap);
            j->status = 3;
        }
        if (rc == CPYTHON_NOMEM || rc == CPYTHON_DEAD) j->status = 4;
    }
    cpython_free(c);
    return NULL;
}

static int usage(void) {
    fprintf(stderr, "usage: run [--memory-mb N] [--timeout S] [--stack-mb N] [--times] -c SOURCE [-c SOURCE...]\n");
    return 2;
}

int main(int argc, char **argv) {
    job j = {.stack_mb = GUEST_STACK_MB};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-c") && i + 1 < argc && j.count < MAX_SOURCES)
            j.sources[j.count++] = argv[++i];
        else if (!strcmp(argv[i], "--memory-mb") && i + 1 < argc)
            j.opt.memory_bytes = strtoull(argv[++i], NULL, 10) << 20;
        else if (!strcmp(argv[i], "--timeout") && i + 1 < argc)
            j.opt.timeout_seconds = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--stack-mb") && i + 1 < argc)
            j.stack_mb = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--times"))
            j.times = 1;
        else
            return usage();
    }
    if (j.count == 0) return usage();
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, j.stack_mb << 20);
    if (pthread_create(&t, &attr, run_job, &j) != 0) {
        fprintf(stderr, "run: cannot start the guest thread\n");
        return 4;
    }
    pthread_join(t, NULL);
    return j.status;
}
