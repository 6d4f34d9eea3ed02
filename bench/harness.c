/*
 * harness.c - airlock's in-process benchmark harness.
 *
 *   harness [--guest NAME] [--impl NAME] [--reps N] [--max-seconds S]
 *           [--warmup N] [--min-reps N] COMMAND...
 *
 * --guest picks the runtime's guest (airlock_runtime_set_guest; the
 * default guest without it).
 *
 * Commands (each runs after the previous one, in the same process):
 *   new              airlock_sandbox_new + airlock_sandbox_free of a fresh sandbox
 *   new-exec         new + exec("x = 1 + 1") + free: created and used once
 *   exec             exec("x = 1 + 1") in one already-running sandbox
 *   exec-print       exec("print(1 + 1)") in one already-running sandbox
 *   exec-small       exec("x = 1") repeated in one already-running sandbox,
 *                    with the page faults of each exec (exec_small_faults)
 *   session-cli AIRLOCK  the CLI `AIRLOCK --session FILE -c 'x.append(1)'`
 *                    as a child process: wall time, its CPU time (user +
 *                    system, from wait4) and its page faults; and the same
 *                    run without --session (cli_nosession) as the baseline
 *   workload FILE    FILE holds Python set-up code, a line "# --- run ---",
 *                    then the code to time. The set-up runs once in a fresh
 *                    sandbox, then the timed part runs --reps times in it.
 *   rewrite FILE     the host's source rewriter (src/guests/micropython/
 *                    rewrite.c) on FILE's bytes, --reps times; the metric is
 *                    FILE's name without its extension
 *   idle N           resident memory of N live sandboxes that each ran one
 *                    small exec: /proc/self/statm before and after, per
 *                    sandbox (also RssAnon from /proc/self/status)
 *
 * Timing: CLOCK_MONOTONIC (wall) and CLOCK_THREAD_CPUTIME_ID (metric name
 * with ".cpu") around each repetition, --warmup untimed runs first; a measurement stops after --reps repetitions or, once at least 3
 * were taken, when --max-seconds of measuring have passed.
 *
 * Output, one line per figure, tab-separated, for bench/report.py and for
 * anyone else:
 *   S <impl> <metric> <unit> <v1,v2,...>        every sample
 *   R <impl> <metric> <unit> n=<n> median=<m> min=<lo> max=<hi>
 * Times are in microseconds; memory in KiB. Errors go to stderr, exit 1.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "airlock.h"
#include "airlock_plugin.h"
#include "guests/micropython/rewrite.h"
#include "measure.h"


/* the measurement (measure.h) */

/* ---- airlock helpers ---------------------------------------------------- */

static airlock_runtime *rt;

static airlock_sandbox *sandbox(void) {
    airlock_sandbox *sb;
    int rc = airlock_sandbox_new(rt, &sb);
    if (rc != AIRLOCK_OK) die("airlock_sandbox_new: %d: %s", rc, airlock_sandbox_errmsg(sb));
    return sb;
}

static void run(airlock_sandbox *sb, const char *src, size_t len, const char *what) {
    int rc = airlock_sandbox_exec(sb, src, len);
    if (rc != AIRLOCK_OK) {
        const char *type = airlock_sandbox_error_type(sb), *msg = airlock_sandbox_error_message(sb);
        die("%s: exec returned %d: %s: %s%s%s", what, rc, airlock_sandbox_errmsg(sb), type ? type : "",
            msg ? ": " : "", msg ? msg : "");
    }
}

static void runs(airlock_sandbox *sb, const char *src, const char *what) { run(sb, src, strlen(src), what); }

/* ---- commands ------------------------------------------------------------ */

static void bench_new(int with_exec) {
    const char *metric = with_exec ? "new_exec" : "new";
    long reps = reps_opt ? reps_opt : 2000;
    for (long i = 0; i < warmup; i++) {
        airlock_sandbox *sb = sandbox();
        if (with_exec) runs(sb, "x = 1 + 1", metric);
        airlock_sandbox_free(sb);
    }
    timing t;
    timing_begin(&t);
    while (more(&t.wall, reps, t.started)) {
        rep_begin(&t);
        airlock_sandbox *sb = sandbox();
        if (with_exec) runs(sb, "x = 1 + 1", metric);
        airlock_sandbox_free(sb);
        rep_end(&t);
    }
    timing_report(&t, metric);
}

static void bench_exec(const char *metric, const char *src) {
    long reps = reps_opt ? reps_opt : 2000;
    airlock_sandbox *sb = sandbox();
    for (long i = 0; i < warmup; i++) runs(sb, src, metric);
    timing t;
    timing_begin(&t);
    while (more(&t.wall, reps, t.started)) {
        rep_begin(&t);
        runs(sb, src, metric);
        rep_end(&t);
    }
    airlock_sandbox_free(sb);
    timing_report(&t, metric);
}

/*
 * Page faults of this thread so far: the kernel's software counter
 * (perf_event_open), which also counts the write faults the undo log turns
 * into signals; getrusage's minor + major faults, which miss those, only if
 * perf events are not allowed here.
 */
static int fault_counter = -2; /* -2: not opened yet, -1: unavailable */

static double thread_faults(void) {
    if (fault_counter == -2) {
        struct perf_event_attr a = {.type = PERF_TYPE_SOFTWARE, .size = sizeof a, .config = PERF_COUNT_SW_PAGE_FAULTS};
        fault_counter = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
        if (fault_counter < 0) {
            a.exclude_kernel = 1;
            fault_counter = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
        }
        if (fault_counter < 0)
            fprintf(stderr, "harness: perf events unavailable, counting faults by getrusage (misses signals)\n");
    }
    uint64_t n;
    if (fault_counter >= 0 && read(fault_counter, &n, sizeof n) == sizeof n) return (double)n;
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    return (double)(ru.ru_minflt + ru.ru_majflt);
}

/* A small statement repeated: the per-exec cost of the undo log. */
static void bench_exec_small(void) {
    long reps = reps_opt ? reps_opt : 2000;
    airlock_sandbox *sb = sandbox();
    for (long i = 0; i < warmup; i++) runs(sb, "x = 1", "exec_small");
    timing t;
    samples faults = {0};
    timing_begin(&t);
    while (more(&t.wall, reps, t.started)) {
        double f0 = thread_faults();
        rep_begin(&t);
        runs(sb, "x = 1", "exec_small");
        rep_end(&t);
        push(&faults, thread_faults() - f0);
    }
    airlock_sandbox_free(sb);
    timing_report(&t, "exec_small");
    report("exec_small_faults", "faults", &faults);
}

/* ---- the CLI as a child process --------------------------------------- */

extern char **environ;

/* Run argv to completion with output to /dev/null; its rusage in *ru. */
static void run_child(char *const argv[], struct rusage *ru) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int err = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (err) die("%s: %s", argv[0], strerror(err));
    int status;
    if (wait4(pid, &status, 0, ru) != pid) die("wait4: %s", strerror(errno));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) die("%s exited with status %d", argv[0], status);
}

static double tv_us(struct timeval tv) { return (double)tv.tv_sec * 1e6 + (double)tv.tv_usec; }

/* Wall time, child CPU time and child page faults of argv, --reps times. */
static void bench_child(const char *metric, char *const argv[]) {
    long reps = reps_opt ? reps_opt : 30;
    struct rusage ru;
    for (long i = 0; i < warmup; i++) run_child(argv, &ru);
    samples wall = {0}, cpu = {0}, faults = {0};
    double started = now_us();
    while (more(&wall, reps, started)) {
        double t0 = now_us();
        run_child(argv, &ru);
        push(&wall, now_us() - t0);
        push(&cpu, tv_us(ru.ru_utime) + tv_us(ru.ru_stime));
        push(&faults, (double)(ru.ru_minflt + ru.ru_majflt));
    }
    char name[80];
    report(metric, "us", &wall);
    snprintf(name, sizeof name, "%s.cpu", metric);
    report(name, "us", &cpu);
    snprintf(name, sizeof name, "%s_faults", metric);
    report(name, "faults", &faults);
}

/* A session that grows by one list item per run, and the same run with
 * no session. */
static void bench_session_cli(const char *airlock) {
    char dir[] = "/tmp/airlock-bench-XXXXXX";
    if (!mkdtemp(dir)) die("mkdtemp: %s", strerror(errno));
    char path[64];
    snprintf(path, sizeof path, "%s/s.bin", dir);
    char *prog = (char *)airlock;
    char *init[] = {prog, "--session", path, "-c", "x = []", NULL};
    char *append[] = {prog, "--session", path, "-c", "x.append(1)", NULL};
    char *plain[] = {prog, "-c", "x = [1]", NULL};
    struct rusage ru;
    run_child(init, &ru);
    bench_child("session_cli", append);
    bench_child("cli_nosession", plain);
    unlink(path);
    rmdir(dir);
}

/* ---- host function round trip ------------------------------------------- */

static int noop_fn(airlock_call *call) { return airlock_call_return(call, airlock_value_new_none()); }

#define HOSTCALLS 10000

/*
 * The cost of one guest -> host -> guest call: each rep runs a loop of
 * HOSTCALLS calls of a host function that returns None and the same loop
 * without the call, in the same sandbox, and records the difference per
 * call. Must run in its own harness process: functions are registered
 * before the first sandbox.
 */
static void bench_hostcall(void) {
    if (airlock_runtime_register_function(rt, "bench", "noop", noop_fn, NULL) != AIRLOCK_OK)
        die("register_function: %s", airlock_runtime_errmsg(rt));
    long reps = reps_opt ? reps_opt : 30;
    airlock_sandbox *sb = sandbox();
    static const char calls[] = "for i in range(10000):\n    noop()";
    static const char empty[] = "for i in range(10000):\n    pass";
    runs(sb, "from bench import noop", "hostcall");
    for (long i = 0; i < warmup; i++) runs(sb, calls, "hostcall");
    samples per_call = {0};
    double started = now_us();
    while (more(&per_call, reps, started)) {
        double t0 = now_us();
        runs(sb, empty, "hostcall");
        double t1 = now_us();
        runs(sb, calls, "hostcall");
        double t2 = now_us();
        push(&per_call, ((t2 - t1) - (t1 - t0)) / HOSTCALLS);
    }
    airlock_sandbox_free(sb);
    report("hostcall", "us", &per_call);
}

static void bench_workload(const char *path) {
    size_t len;
    char *src = slurp(path, &len);
    char *mark = strstr(src, RUN_MARKER);
    if (!mark) die("%s: no line \"%.*s\"", path, (int)strlen(RUN_MARKER) - 1, RUN_MARKER);
    const char *body = mark + strlen(RUN_MARKER);
    size_t setup_len = (size_t)(mark - src), body_len = len - (size_t)(body - src);
    char name[64];
    workload_name(path, name, sizeof name);

    long reps = reps_opt ? reps_opt : 10;
    airlock_sandbox *sb = sandbox();
    run(sb, src, setup_len, name);
    for (long i = 0; i < warmup; i++) run(sb, body, body_len, name);
    timing t;
    timing_begin(&t);
    while (more(&t.wall, reps, t.started)) {
        rep_begin(&t);
        run(sb, body, body_len, name);
        rep_end(&t);
    }
    airlock_stats st = {.size = sizeof(airlock_stats)};
    airlock_sandbox_stats(sb, &st);
    fprintf(stderr, "harness: %s/%s: fuel_used %llu, %llu collections, guest memory %llu KiB at the end\n",
            impl, name, (unsigned long long)st.fuel_used, (unsigned long long)st.gc_collections,
            (unsigned long long)(st.memory_bytes >> 10));
    airlock_sandbox_free(sb);
    free(src);
    timing_report(&t, name);
}

static void bench_rewrite(const char *path) {
    size_t len, out_len = 0;
    char *src = slurp(path, &len);
    char name[64];
    workload_name(path, name, sizeof name);
    char *once = rewrite_source(src, len, &out_len);
    fprintf(stderr, "harness: %s/%s: %zu bytes, %s\n", impl, name, len, once ? "rewritten" : "nothing to rewrite");
    free(once);
    long reps = reps_opt ? reps_opt : 10;
    for (long i = 0; i < warmup; i++) free(rewrite_source(src, len, &out_len));
    timing t;
    timing_begin(&t);
    while (more(&t.wall, reps, t.started)) {
        rep_begin(&t);
        char *out = rewrite_source(src, len, &out_len);
        rep_end(&t);
        free(out);
    }
    free(src);
    timing_report(&t, name);
}

/* Resident pages of this process (second field of /proc/self/statm). */
static long statm_resident_kib(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) die("/proc/self/statm: %s", strerror(errno));
    long size, resident;
    if (fscanf(f, "%ld %ld", &size, &resident) != 2) die("/proc/self/statm: unexpected format");
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* A "Name:   N kB" field of /proc/self/status, or -1. */
static long status_kib(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long v = -1;
    size_t flen = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
            v = strtol(line + flen + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static void bench_idle(long count) {
    if (count <= 0) die("idle: count must be positive");
    /* The snapshot exists and the code paths are warm before measuring. */
    airlock_sandbox *warm = sandbox();
    runs(warm, "x = 1 + 1", "idle");
    airlock_sandbox_free(warm);

    airlock_sandbox **sbs = calloc((size_t)count, sizeof *sbs);
    if (!sbs) die("out of memory");
    long rss0 = statm_resident_kib(), anon0 = status_kib("RssAnon");
    for (long i = 0; i < count; i++) {
        sbs[i] = sandbox();
        runs(sbs[i], "x = 1 + 1", "idle");
    }
    long rss1 = statm_resident_kib(), anon1 = status_kib("RssAnon");
    samples s = {0};
    char metric[64];
    snprintf(metric, sizeof metric, "idle%ld", count);
    push(&s, (double)(rss1 - rss0) / (double)count);
    report(metric, "KiB", &s);
    if (anon0 >= 0 && anon1 >= 0) {
        snprintf(metric, sizeof metric, "idle%ld_anon", count);
        push(&s, (double)(anon1 - anon0) / (double)count);
        report(metric, "KiB", &s);
    }
    for (long i = 0; i < count; i++) airlock_sandbox_free(sbs[i]);
    free(sbs);
}

static void usage(void) {
    fputs("usage: harness [--guest NAME] [--impl NAME] [--reps N] [--max-seconds S] [--warmup N] [--min-reps N]\n"
          "               {new | new-exec | exec | exec-print | exec-small | session-cli AIRLOCK |\n"
          "                workload FILE | rewrite FILE | idle N | hostcall}...\n",
          stderr);
    exit(2);
}

int main(int argc, char **argv) {
    const char *guest = NULL;
    if (argc > 2 && strcmp(argv[1], "--guest") == 0) {
        guest = argv[2];
        argv[2] = argv[0];
        argv += 2;
        argc -= 2;
    }
    int i = measure_options(argc, argv, usage);

    int rc = airlock_runtime_new(&rt);
    if (rc != AIRLOCK_OK) die("airlock_runtime_new: %d", rc);
    if (guest && airlock_runtime_set_guest(rt, guest) != AIRLOCK_OK)
        die("--guest %s: %s", guest, airlock_runtime_errmsg(rt));

    for (; i < argc; i++) {
        const char *cmd = argv[i];
        if (strcmp(cmd, "new") == 0) bench_new(0);
        else if (strcmp(cmd, "new-exec") == 0) bench_new(1);
        else if (strcmp(cmd, "exec") == 0) bench_exec("exec", "x = 1 + 1");
        else if (strcmp(cmd, "exec-print") == 0) bench_exec("exec_print", "print(1 + 1)");
        else if (strcmp(cmd, "exec-small") == 0) bench_exec_small();
        else if (strcmp(cmd, "session-cli") == 0 && i + 1 < argc) bench_session_cli(argv[++i]);
        else if (strcmp(cmd, "workload") == 0 && i + 1 < argc) bench_workload(argv[++i]);
        else if (strcmp(cmd, "rewrite") == 0 && i + 1 < argc) bench_rewrite(argv[++i]);
        else if (strcmp(cmd, "idle") == 0 && i + 1 < argc) bench_idle(strtol(argv[++i], NULL, 10));
        else if (strcmp(cmd, "hostcall") == 0) bench_hostcall();
        else usage();
    }
    airlock_runtime_free(rt);
    return 0;
}
