/*
 * test_limits.c - every limit stops what it should, reports why, and leaves
 * the sandbox (and every other sandbox) usable.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "small_stack.h"
#include "testutil.h"

static airlock_sandbox *limited(const airlock_limits *l) {
    airlock_sandbox *sb = new_sandbox();
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, l), AIRLOCK_OK);
    return sb;
}

START_TEST(timeout_soft_stop_keeps_the_session) {
    airlock_limits l = {.size = sizeof(airlock_limits), .timeout_seconds = 0.2};
    airlock_sandbox *sb = limited(&l);
    ck_run_prints(sb, "kept = 'yes'", "");
    ck_assert_int_eq(run(sb, "try:\n while True: pass\nfinally:\n print('finally ran')"), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_TIMEOUT);
    ck_assert_str_eq(airlock_sandbox_stdout(sb, NULL), "finally ran\n");
    airlock_stats st = {.size = sizeof(airlock_stats)};
    airlock_sandbox_stats(sb, &st);
    ck_assert_int_eq(st.hard_stop, 0);
    ck_assert(st.wall_ms >= 190 && st.wall_ms < 1000);
    ck_run_prints(sb, "print(kept)", "yes\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(swallowed_interrupt_gets_a_hard_stop) {
    airlock_limits l = {.size = sizeof(airlock_limits), .timeout_seconds = 0.2};
    airlock_sandbox *sb = limited(&l);
    ck_assert_int_eq(run(sb, "while True:\n try:\n  while True: pass\n except KeyboardInterrupt:\n  pass"),
                     AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_TIMEOUT);
    airlock_stats st = {.size = sizeof(airlock_stats)};
    airlock_sandbox_stats(sb, &st);
    ck_assert_int_eq(st.hard_stop, 1);
    ck_assert(st.wall_ms < 1000);
    ck_run_prints(sb, "print('usable')", "usable\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(hard_stop_rolls_the_session_back) {
    airlock_limits l = {.size = sizeof(airlock_limits), .timeout_seconds = 0.2};
    airlock_sandbox *sb = limited(&l);
    ck_run_prints(sb, "data = {'n': 1}\nbig = []", "");
    /* the run mutates state, then refuses to stop */
    ck_assert_int_eq(run(sb, "data['n'] = 2\nbig.extend(range(100000))\nx = 'temp'\n"
                             "while True:\n try:\n  while True: pass\n except KeyboardInterrupt:\n  pass"),
                     AIRLOCK_LIMIT);
    airlock_stats st = {.size = sizeof(airlock_stats)};
    airlock_sandbox_stats(sb, &st);
    ck_assert_int_eq(st.hard_stop, 1);
    ck_run_prints(sb, "print(data['n'], len(big), 'x' in globals())", "1 0 False\n");
    /* and the session goes on working, limits and all */
    ck_run_prints(sb, "data['n'] += 10\nprint(data)", "{'n': 11}\n");
    ck_assert_int_eq(run(sb, "while True: pass"), AIRLOCK_LIMIT);
    ck_run_prints(sb, "print(data['n'])", "11\n");
    airlock_sandbox_free(sb);
}
END_TEST

/*
 * Between executions memory is read-only but for the pages recent ones
 * wrote, which the next execution saves up front (runtime/undo.c). A hard
 * stop after many small executions (pages kept writable), after one that
 * wrote too many pages to keep, and one that grew memory, each puts back
 * exactly the state before it.
 */
/* Run code that ignores the soft stop: the hard stop must roll it back. The
 * other runs get a generous timeout: the machine may be loaded. */
static void run_stopped(airlock_sandbox *sb, const char *prefix) {
    static const char stubborn[] = "while True:\n try:\n  while True: pass\n except KeyboardInterrupt:\n  pass";
    char code[512];
    snprintf(code, sizeof code, "%s\n%s", prefix, stubborn);
    airlock_limits quick = {.size = sizeof(airlock_limits), .timeout_seconds = 0.2}, slow = {.size = sizeof(airlock_limits), .timeout_seconds = 30};
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, &quick), AIRLOCK_OK);
    ck_assert_int_eq(run(sb, code), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, &slow), AIRLOCK_OK);
}

START_TEST(rollback_after_kept_and_protected_pages) {
    airlock_limits l = {.size = sizeof(airlock_limits), .timeout_seconds = 30};
    airlock_sandbox *sb = limited(&l);
    ck_run_prints(sb, "n = 0\nbuf = bytearray(512 << 10)", "");
    for (int i = 0; i < 20; i++) ck_run_prints(sb, "n += 1", "");
    run_stopped(sb, "n = -1\nfor i in range(0, len(buf), 4096): buf[i] = 1\nextra = bytearray(8 << 20)");
    ck_run_prints(sb, "print(n, buf.count(b'\\x00'), 'extra' in globals())", "20 524288 False\n");
    /* 128 pages changed: more than are kept writable */
    ck_run_prints(sb, "for i in range(0, len(buf), 4096): buf[i] = 2", "");
    for (int i = 0; i < 10; i++) ck_run_prints(sb, "n += 1", "");
    run_stopped(sb, "n = -5\nbuf[4096] = 9\nfor i in range(0, len(buf), 8192): buf[i] = 3");
    ck_run_prints(sb, "print(n, buf.count(b'\\x00'), buf.count(b'\\x02'))", "30 524160 128\n");
    ck_run_prints(sb, "n += 1\nprint(n)", "31\n");
    airlock_sandbox_free(sb);
}
END_TEST

static double thread_cpu_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* time.sleep really waits: the thread is idle, not spinning on the clock. */
START_TEST(sleep_does_not_spin) {
    airlock_sandbox *sb = new_sandbox();
    double cpu0 = thread_cpu_seconds();
    ck_run_prints(sb, "import time\nt = time.ticks_ms()\ntime.sleep(0.6)\nprint(time.ticks_diff(time.ticks_ms(), t) >= 600)",
                  "True\n");
    double cpu = thread_cpu_seconds() - cpu0;
    ck_assert_msg(cpu < 0.3, "sleeping 0.6 s used %.3f s of CPU", cpu);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(c_level_loop_is_stopped) {
    airlock_limits l = {.size = sizeof(airlock_limits), .timeout_seconds = 0.3};
    airlock_sandbox *sb = limited(&l);
    ck_assert_int_eq(run(sb, "x = 10 ** 10 ** 8"), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_TIMEOUT);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(fuel_stops_and_is_deterministic) {
    airlock_limits l = {.size = sizeof(airlock_limits), .fuel = 2000000};
    airlock_sandbox *sb = limited(&l);
    ck_assert_int_eq(run(sb, "while True: pass"), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_FUEL);
    airlock_sandbox_free(sb);

    const char *code = "d = {}\nfor i in range(3000):\n d[str(i)] = [i] * (i % 7)\nprint(len(d))";
    uint64_t used[2];
    for (int i = 0; i < 2; i++) {
        sb = new_sandbox();
        ck_run_prints(sb, code, "3000\n");
        airlock_stats st = {.size = sizeof(airlock_stats)};
        airlock_sandbox_stats(sb, &st);
        used[i] = st.fuel_used;
        airlock_sandbox_free(sb);
    }
    ck_assert_uint_gt(used[0], 0);
    ck_assert_uint_eq(used[0], used[1]);
}
END_TEST

static void *interrupt_later(void *arg) {
    usleep(100 * 1000);
    airlock_sandbox_interrupt(arg);
    return NULL;
}

START_TEST(interrupt_from_another_thread) {
    airlock_sandbox *sb = new_sandbox();
    pthread_t t;
    pthread_create(&t, NULL, interrupt_later, sb);
    ck_assert_int_eq(run(sb, "while True: pass"), AIRLOCK_LIMIT);
    pthread_join(t, NULL);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_INTERRUPT);
    ck_assert_str_eq(airlock_sandbox_error_type(sb), "KeyboardInterrupt");
    /* the stop absorbed the interrupt: the next run is not touched */
    ck_run_prints(sb, "print('after')", "after\n");
    airlock_sandbox_free(sb);
}
END_TEST

/* An interrupt sent while nothing runs stops the next run to start (it is
 * not lost to the start of the run), and only that one. */
START_TEST(interrupt_before_the_run_stops_it) {
    airlock_sandbox *sb = new_sandbox();
    airlock_sandbox_interrupt(sb);
    airlock_sandbox_interrupt(sb); /* two requests before one run: one stop */
    ck_assert_int_eq(run(sb, "while True: pass"), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_INTERRUPT);
    ck_run_prints(sb, "print('after')", "after\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(memory_limit_raises_memory_error) {
    airlock_limits l = {.size = sizeof(airlock_limits), .memory_bytes = 32u << 20};
    airlock_sandbox *sb = limited(&l);
    ck_assert_int_eq(run(sb, "x = bytearray(64 * 1024 * 1024)"), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_MEMORY);
    ck_assert_str_eq(airlock_sandbox_error_type(sb), "MemoryError");
    /* recoverable inside the guest */
    ck_run_prints(sb, "try:\n x = bytearray(64 * 1024 * 1024)\nexcept MemoryError:\n print('caught')", "caught\n");
    airlock_stats st = {.size = sizeof(airlock_stats)};
    airlock_sandbox_stats(sb, &st);
    ck_assert_uint_le(st.memory_bytes, 32u << 20);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(garbage_is_collected_during_execution) {
    airlock_limits l = {.size = sizeof(airlock_limits), .memory_bytes = 32u << 20};
    airlock_sandbox *sb = limited(&l);
    /* 3 million iterations and ~100 MB of short-lived strings in 32 MiB */
    ck_run_prints(sb, "x = 0\nfor i in range(3000000):\n x += i * 2\nprint(x)", "8999997000000\n");
    ck_run_prints(sb, "n = 0\nfor i in range(100000):\n s = 'abc' * 300 + str(i)\n n += len(s)\nprint(n)",
                  "90488890\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(output_limit_truncates_or_stops) {
    airlock_limits l = {.size = sizeof(airlock_limits), .max_output_bytes = 1000};
    airlock_sandbox *sb = limited(&l);
    ck_assert_int_eq(run(sb, "for i in range(100000): print('x' * 100)"), AIRLOCK_OK);
    size_t len;
    airlock_sandbox_stdout(sb, &len);
    ck_assert_uint_eq(len, 1000);
    airlock_stats st = {.size = sizeof(airlock_stats)};
    airlock_sandbox_stats(sb, &st);
    ck_assert_int_eq(st.stdout_truncated, 1);
    ck_assert_uint_eq(st.stdout_bytes, 100000u * 101);

    l.output_overflow_stops = 1;
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, &l), AIRLOCK_OK);
    ck_assert_int_eq(run(sb, "while True: print('y' * 100)"), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_OUTPUT);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(deep_python_recursion_is_catchable) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "def f(n): return f(n + 1)\ntry:\n f(0)\nexcept RuntimeError as e:\n print('caught', e)",
                  "caught maximum recursion depth exceeded\n");
    ck_run_prints(sb, "print('alive')", "alive\n");
    airlock_sandbox_free(sb);
}
END_TEST

static const char *nested = "x = []\nfor i in range(100000):\n x = [x]\ntry:\n r = repr(x)\nexcept Exception as e:\n print(type(e).__name__)";

START_TEST(deep_c_recursion_ends_cleanly_on_a_small_stack) {
    airlock_sandbox *sb = new_sandbox();
    int rc = run_on_small_stack(sb, nested);
    /* either the interpreter's own RuntimeError, or a clean stack trap */
    ck_assert_msg(rc == AIRLOCK_OK || rc == AIRLOCK_LIMIT, "rc=%d %s", rc, airlock_sandbox_errmsg(sb));
    if (rc == AIRLOCK_LIMIT) ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_STACK);
    ck_run_prints(sb, "print('alive')", "alive\n");
    /* and on the main thread's large stack */
    rc = run(sb, nested);
    ck_assert_msg(rc == AIRLOCK_OK || rc == AIRLOCK_LIMIT, "rc=%d", rc);
    airlock_sandbox_free(sb);
}
END_TEST

/* CPython's default depth (1000 frames, 300 through lru_cache) works; past
 * the guest's stack a RecursionError, never a trap; a 256 KiB thread ends a
 * deeper recursion with the stack limit and the sandbox lives on. */
START_TEST(python_recursion_as_deep_as_cpython) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "def f(n): return 0 if n == 0 else 1 + f(n - 1)\nprint(f(1000))", "1000\n");
    ck_run_prints(sb,
                  "import functools\n@functools.lru_cache(maxsize=None)\n"
                  "def g(n): return 0 if n == 0 else 1 + g(n - 1)\nprint(g(300))",
                  "300\n");
    ck_run_prints(sb, "try:\n f(10 ** 6)\nexcept RecursionError as e:\n print('caught', e)",
                  "caught maximum recursion depth exceeded\n");
    int rc = run_on_small_stack(sb, "print(f(2000))");
    ck_assert_msg(rc == AIRLOCK_LIMIT && airlock_sandbox_limit_hit(sb) == AIRLOCK_LIMIT_STACK, "rc=%d %s", rc,
                  airlock_sandbox_errmsg(sb));
    ck_run_prints(sb, "print(f(10))", "10\n");
    airlock_sandbox_free(sb);
}
END_TEST

typedef struct worker {
    int id;
    int failures;
} worker;

static void *run_many(void *arg) {
    worker *w = arg;
    char code[256], want[64];
    for (int i = 0; i < 30; i++) {
        airlock_sandbox *sb = new_sandbox();
        snprintf(code, sizeof code, "me = %d\nacc = 0\nfor k in range(2000): acc += k\nprint(me, acc)", w->id * 1000 + i);
        snprintf(want, sizeof want, "%d 1999000\n", w->id * 1000 + i);
        if (run(sb, code) != AIRLOCK_OK || strcmp(airlock_sandbox_stdout(sb, NULL), want) != 0) w->failures++;
        if (run(sb, "print(me)") != AIRLOCK_OK) w->failures++;
        airlock_sandbox_free(sb);
    }
    return NULL;
}

START_TEST(two_threads_run_sandboxes_concurrently) {
    shared_runtime();
    airlock_sandbox *warm = new_sandbox(); /* build the snapshot first */
    airlock_sandbox_free(warm);
    worker w[2] = {{1, 0}, {2, 0}};
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, run_many, &w[i]);
    for (int i = 0; i < 2; i++) pthread_join(t[i], NULL);
    ck_assert_int_eq(w[0].failures, 0);
    ck_assert_int_eq(w[1].failures, 0);
}
END_TEST

static Suite *limits_suite(void) {
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, timeout_soft_stop_keeps_the_session);
    tcase_add_test(tc, swallowed_interrupt_gets_a_hard_stop);
    tcase_add_test(tc, hard_stop_rolls_the_session_back);
    tcase_add_test(tc, rollback_after_kept_and_protected_pages);
    tcase_add_test(tc, sleep_does_not_spin);
    tcase_add_test(tc, c_level_loop_is_stopped);
    tcase_add_test(tc, fuel_stops_and_is_deterministic);
    tcase_add_test(tc, interrupt_from_another_thread);
    tcase_add_test(tc, interrupt_before_the_run_stops_it);
    tcase_add_test(tc, memory_limit_raises_memory_error);
    tcase_add_test(tc, garbage_is_collected_during_execution);
    tcase_add_test(tc, output_limit_truncates_or_stops);
    tcase_add_test(tc, deep_python_recursion_is_catchable);
    tcase_add_test(tc, deep_c_recursion_ends_cleanly_on_a_small_stack);
    tcase_add_test(tc, python_recursion_as_deep_as_cpython);
    tcase_add_test(tc, two_threads_run_sandboxes_concurrently);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(limits_suite)
