/*
 * run.c - the CPython guest's first runner (make cpython: build/cpython/run).
 *
 *   run [--memory-mb N] [--timeout S] [--fuel N] [--deterministic] [--stack-mb N]
 *       [--fresh [--image FILE]] [--times] -c SOURCE [-c SOURCE...]
 *
 * Boots one interpreter and runs each SOURCE in it, in order, printing what
 * each run wrote to stdout and stderr. With --fresh, boots once into a
 * snapshot and runs each SOURCE in a fresh interpreter made from it, going
 * on after a run that trapped; with --image, the snapshot is a build-time
 * image (build/cpython/prebuilt.img) instead, refused (status 4, the
 * reason on stderr) if it is damaged or stale. Exit status: 0 if every run ran, 1 if one
 * raised, 2 for bad usage, 3 if a run trapped (the message says which trap;
 * the process is fine), 4 if the boot failed, or the guest's own status
 * after sys.exit() (the last such status with --fresh). --times prints the
 * boot's and each run's wall time (µs), each fresh interpreter's, and each
 * run's fuel on stderr. The interpreter runs on a guest stack of 256 MiB (or
 * --stack-mb: runtime/trap.c), so that CPython's own recursion guards fire
 * before the native stack runs out; its thread has a stack as large, for a
 * build that has no guest stack (SANITIZE=1).
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
    int times, fresh;
    const char *image; /* --image: the snapshot's file */
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

/* Run source i in c; false if c can run nothing more. */
static bool run_one(job *j, cpython_vm *c, int i) {
    int trap;
    double s = now_us();
    int rc = cpython_exec(c, j->sources[i], &trap);
    double e = now_us();
    fputs(cpython_output(c, 0), stdout);
    fflush(stdout);
    fputs(cpython_output(c, 1), stderr);
    if (j->times)
        fprintf(stderr, "run%d_us %.1f\nrun%d_fuel %llu\n", i, e - s, i, (unsigned long long)cpython_fuel_used(c));
    if (rc == CPYTHON_RAISED) j->status = 1;
    if (rc == CPYTHON_EXITED) j->status = cpython_exit_status(c);
    if (rc == CPYTHON_TRAPPED) {
        report_trap(c, trap);
        j->status = 3;
    }
    if (rc == CPYTHON_NOMEM || rc == CPYTHON_DEAD) j->status = 4;
    return rc != CPYTHON_TRAPPED && rc != CPYTHON_EXITED && rc != CPYTHON_DEAD;
}

static void boot_failed(job *j, cpython_vm *c, int trap) {
    fputs(c ? cpython_output(c, 1) : "", stderr);
    if (c && trap) report_trap(c, trap);
    fprintf(stderr, "run: boot failed\n");
    j->status = 4;
}

/* Every source in one interpreter, until one fails. */
static void run_in_one(job *j) {
    int trap;
    double t0 = now_us();
    cpython_vm *c = cpython_boot(&j->opt, &trap);
    double t1 = now_us();
    if (!c || trap) {
        boot_failed(j, c, trap);
        cpython_free(c);
        return;
    }
    if (j->times) fprintf(stderr, "boot_us %.0f\n", t1 - t0);
    for (int i = 0; i < j->count && run_one(j, c, i) && j->status == 0; i++) continue;
    cpython_free(c);
}

/* The snapshot in the image file at path; NULL, with the reason said. */
static cpython_snapshot *load_image(const char *path) {
    FILE *f = fopen(path, "rb");
    char *data = NULL, why[200] = "cannot read it";
    long len = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len >= 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)len + 1)) &&
        fread(data, 1, (size_t)len, f) != (size_t)len) {
        free(data);
        data = NULL;
    }
    if (f) fclose(f);
    cpython_snapshot *s = data ? cpython_snapshot_from_image(data, (uint64_t)len, true, why, sizeof why) : NULL;
    free(data);
    if (!s) fprintf(stderr, "run: image refused: %s\n", why);
    return s;
}

/* Each source in a fresh interpreter from one snapshot, all of them. */
static void run_fresh(job *j) {
    int trap = 0;
    double t0 = now_us();
    cpython_snapshot *snap = j->image ? load_image(j->image) : cpython_snapshot_new(&j->opt, &trap);
    double t1 = now_us();
    if (!snap) {
        if (j->image) j->status = 4;
        else boot_failed(j, NULL, trap);
        return;
    }
    if (j->times) fprintf(stderr, "snapshot_us %.0f\n", t1 - t0);
    for (int i = 0; i < j->count; i++) {
        double s = now_us();
        cpython_vm *c = cpython_new_from_snapshot(snap, &j->opt);
        double e = now_us();
        if (!c) {
            fprintf(stderr, "run: no fresh interpreter\n");
            j->status = 4;
            break;
        }
        if (j->times) fprintf(stderr, "fresh%d_us %.1f\n", i, e - s);
        run_one(j, c, i);
        cpython_free(c);
    }
    cpython_snapshot_free(snap);
}

static void *run_job(void *arg) {
    job *j = arg;
    if (j->fresh)
        run_fresh(j);
    else
        run_in_one(j);
    return NULL;
}

static int usage(void) {
    fprintf(stderr, "usage: run [--memory-mb N] [--timeout S] [--fuel N] [--deterministic] [--stack-mb N] [--fresh]\n"
                    "           [--image FILE] [--times] -c SOURCE [-c SOURCE...]\n");
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
        else if (!strcmp(argv[i], "--fuel") && i + 1 < argc)
            j.opt.fuel = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--deterministic"))
            j.opt.deterministic = true;
        else if (!strcmp(argv[i], "--fresh"))
            j.fresh = 1;
        else if (!strcmp(argv[i], "--image") && i + 1 < argc)
            j.image = argv[++i];
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
    vm_guest_stack_set_size(j.stack_mb << 20);
    if (pthread_create(&t, &attr, run_job, &j) != 0) {
        fprintf(stderr, "run: cannot start the guest thread\n");
        return 4;
    }
    pthread_join(t, NULL);
    return j.status;
}
