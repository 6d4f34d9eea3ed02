/*
 * test_api.c - the public C API: executions, sessions, results, errors,
 * bad input, and the closed world a fresh sandbox sees.
 */
#include <pthread.h>
#include <stdio.h>

#include "testutil.h"

START_TEST(runs_and_captures_output) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "print('hello', 6 * 7)", "hello 42\n");
    ck_assert_int_eq(run(sb, "import sys\nsys.stderr.write('oops\\n')"), AIRLOCK_OK);
    ck_assert_str_eq(airlock_sandbox_stderr(sb, NULL), "oops\n");
    ck_assert_str_eq(airlock_sandbox_stdout(sb, NULL), "");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(session_state_persists) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "x = 41\ndef inc(v): return v + 1", "");
    ck_run_prints(sb, "print(inc(x))", "42\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(fresh_sandboxes_do_not_share_state) {
    airlock_sandbox *a = new_sandbox(), *b = new_sandbox();
    ck_run_prints(a, "secret = 'a'\nimport builtins\nbuiltins.print = None", "");
    ck_run_raises(b, "secret", "NameError");
    ck_run_prints(b, "print('b still prints')", "b still prints\n");
    airlock_sandbox_free(a);
    airlock_sandbox_free(b);
}
END_TEST

START_TEST(result_is_repr_of_last_expression) {
    airlock_sandbox *sb = new_sandbox();
    size_t len;
    ck_assert_int_eq(run(sb, "x = [1, 'two']\nx"), AIRLOCK_OK);
    ck_assert_str_eq(airlock_sandbox_result(sb, &len), "[1, 'two']");
    ck_assert_uint_eq(len, 10);
    ck_assert_int_eq(run(sb, "y = 3"), AIRLOCK_OK);
    ck_assert_ptr_null(airlock_sandbox_result(sb, NULL));
    ck_assert_int_eq(run(sb, "print('p')"), AIRLOCK_OK); /* None is no result */
    ck_assert_ptr_null(airlock_sandbox_result(sb, NULL));
    ck_assert_int_eq(run(sb, "if True:\n    z = 5\nz * 2\n"), AIRLOCK_OK);
    ck_assert_str_eq(airlock_sandbox_result(sb, NULL), "10");
    /* a call spread over lines is one statement, not a keyword argument */
    ck_assert_int_eq(run(sb, "def f(*a, **kw): return (len(a), len(kw))\nf(\nx)"), AIRLOCK_OK);
    ck_assert_str_eq(airlock_sandbox_result(sb, NULL), "(1, 0)");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(exceptions_have_type_message_traceback) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_raises(sb, "x = 1\nraise ValueError('bad value')", "ValueError");
    ck_assert_str_eq(airlock_sandbox_error_message(sb), "bad value");
    const char *tb = airlock_sandbox_error_traceback(sb);
    ck_assert_ptr_nonnull(strstr(tb, "line 2"));
    ck_assert_ptr_null(strstr(tb, "_airlock_run")); /* our driver stays hidden */
    ck_run_raises(sb, "1/0", "ZeroDivisionError");
    ck_run_raises(sb, "def f(:\n  pass", "SyntaxError");
    /* the session survives its errors */
    ck_run_prints(sb, "print(x)", "1\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(system_exit_keeps_its_code) {
    airlock_sandbox *sb = new_sandbox();
    ck_assert_int_eq(run(sb, "raise SystemExit(7)"), AIRLOCK_EXIT);
    ck_assert_int_eq(airlock_sandbox_exit_code(sb), 7);
    ck_assert_int_eq(run(sb, "import sys\nsys.exit()"), AIRLOCK_EXIT);
    ck_assert_int_eq(airlock_sandbox_exit_code(sb), 0);
    ck_assert_int_eq(run(sb, "raise SystemExit('bye')"), AIRLOCK_EXIT);
    ck_assert_int_eq(airlock_sandbox_exit_code(sb), 1);
    ck_assert_str_eq(airlock_sandbox_stderr(sb, NULL), "bye\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(bad_input_is_an_exception_not_a_crash) {
    airlock_sandbox *sb = new_sandbox();
    ck_assert_int_eq(airlock_sandbox_exec(sb, "", 0), AIRLOCK_OK);
    ck_assert_int_eq(airlock_sandbox_exec(sb, "\xff\xfe print(1)", 10), AIRLOCK_ERROR);
    ck_assert_int_eq(airlock_sandbox_exec(sb, "print(1)\0print(2)", 17), AIRLOCK_ERROR);
    ck_assert_int_eq(airlock_sandbox_exec(NULL, "x", 1), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_sandbox_exec(sb, NULL, 5), AIRLOCK_MISUSE);
    ck_run_prints(sb, "print('still fine')", "still fine\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(large_source_runs) {
    airlock_sandbox *sb = new_sandbox();
    /* 10 MB of source: a long comment and one statement */
    size_t n = 10u << 20;
    char *src = malloc(n + 32);
    memset(src, ' ', n);
    src[0] = '#';
    strcpy(src + n, "\nprint('big')\n");
    int rc = airlock_sandbox_exec(sb, src, strlen(src));
    /* it runs, or the memory limit stops it with a MemoryError */
    ck_assert_msg(rc == AIRLOCK_OK || (rc == AIRLOCK_LIMIT && airlock_sandbox_limit_hit(sb) == AIRLOCK_LIMIT_MEMORY &&
                                       strcmp(airlock_sandbox_error_type(sb), "MemoryError") == 0),
                  "rc=%d", rc);
    if (rc == AIRLOCK_OK) ck_assert_str_eq(airlock_sandbox_stdout(sb, NULL), "big\n");
    free(src);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(the_world_is_closed) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_raises(sb, "open('/etc/passwd')", "OSError");
    ck_run_prints(sb, "import errno\ntry:\n open('/etc/hostname')\nexcept OSError as e:\n print(e.errno == errno.ENOENT)",
                  "True\n");
    ck_run_prints(sb, "try:\n open('/tmp/x', 'w')\nexcept OSError as e:\n print(e.errno)", "13\n");
    ck_run_prints(sb, "import os\nprint(os.listdir('/'))", "['lib']\n");
    ck_run_raises(sb, "import socket", "ImportError");
    ck_run_raises(sb, "import uctypes", "ImportError");
    /* the js bridge exposes nothing, whatever name it is reached by */
    ck_run_raises(sb, "import js\njs.fetch", "AttributeError");
    ck_run_raises(sb, "__import__('js').globalThis", "AttributeError");
    ck_run_raises(sb, "exec('import js; js.process')", "AttributeError");
    ck_run_raises(sb, "import asyncio\nasyncio.core.js.setTimeout", "AttributeError");
    ck_run_raises(sb, "import builtins\nbuiltins.__import__('js').require", "AttributeError");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(versions_are_reported) {
    ck_assert_str_eq(airlock_guest_version(), "1.27.0");
    ck_assert_uint_eq(strlen(airlock_guest_sha256()), 64);
}
END_TEST

/* The guest is chosen by name before the first sandbox, and said by the
 * runtime and its sandboxes; MicroPython is the default. */
START_TEST(the_guest_is_chosen_and_named) {
    airlock_guest_info g = {.size = sizeof g};
    ck_assert_int_eq(airlock_guest_info_of(NULL, &g), AIRLOCK_OK);
    ck_assert_str_eq(g.name, "micropython");
    ck_assert_str_eq(g.version, airlock_guest_version());
    ck_assert(g.compat && g.host_functions && g.file_grants && g.sessions && g.values);
    ck_assert_int_eq(airlock_guest_info_of("pypy", &g), AIRLOCK_MISUSE);
    airlock_guest_info too_small = {.size = 4};
    ck_assert_int_eq(airlock_guest_info_of(NULL, &too_small), AIRLOCK_MISUSE);

    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_set_guest(rt, "pypy"), AIRLOCK_MISUSE);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "unknown guest 'pypy'"));
    ck_assert_int_eq(airlock_runtime_set_guest(rt, NULL), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_runtime_set_guest(rt, "micropython"), AIRLOCK_OK);
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_assert_str_eq(airlock_sandbox_guest(sb), "micropython");
    ck_assert_ptr_null(airlock_sandbox_guest(NULL));
    ck_assert_int_eq(airlock_runtime_set_guest(rt, "micropython"), AIRLOCK_MISUSE); /* booted: frozen */
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "before the first sandbox"));
    ck_assert_int_eq(airlock_runtime_guest_info(rt, &g), AIRLOCK_OK);
    ck_assert_str_eq(g.name, "micropython");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

/* What an output callback saw, stream by stream, and in which order. */
typedef struct seen {
    char text[2][256];
    size_t len[2];
    int calls;
    char order[64];
} seen;

static void collect(void *userdata, int stream, const char *data, size_t len) {
    seen *s = userdata;
    int i = stream == AIRLOCK_STDOUT ? 0 : 1;
    ck_assert(stream == AIRLOCK_STDOUT || stream == AIRLOCK_STDERR);
    ck_assert_uint_le(s->len[i] + len, sizeof s->text[i] - 1);
    memcpy(s->text[i] + s->len[i], data, len);
    s->len[i] += len;
    if (s->calls < (int)sizeof s->order - 1) s->order[s->calls] = (char)('0' + i);
    s->calls++;
}

START_TEST(output_streams_as_it_is_written) {
    airlock_sandbox *sb = new_sandbox();
    seen s = {0};
    airlock_exec_options o = AIRLOCK_EXEC_OPTIONS_INIT;
    o.on_output = collect;
    o.output_userdata = &s;
    const char *code = "import sys\nprint('a')\nsys.stderr.write('b\\n')\nprint('c')\n";
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, code, strlen(code), &o), AIRLOCK_OK);
    ck_assert_str_eq(s.text[0], "a\nc\n");
    ck_assert_str_eq(s.text[1], "b\n");
    /* delivered in the order written (a print may come in several pieces) */
    char runs[64] = "";
    size_t n = 0;
    for (const char *c = s.order; *c; c++)
        if (c[0] != c[1]) runs[n++] = *c;
    ck_assert_str_eq(runs, "010");
    ck_assert_str_eq(airlock_sandbox_stdout(sb, NULL), "a\nc\n"); /* and still captured */
    /* the next plain exec streams nothing */
    s = (seen){0};
    ck_run_prints(sb, "print('quiet')", "quiet\n");
    ck_assert_int_eq(s.calls, 0);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(streamed_output_keeps_the_cap) {
    airlock_limits l = {.size = sizeof l, .max_output_bytes = 10};
    airlock_sandbox *sb = new_sandbox();
    seen s = {0};
    airlock_exec_options o = AIRLOCK_EXEC_OPTIONS_INIT;
    o.on_output = collect;
    o.output_userdata = &s;
    o.limits = &l;
    const char *code = "for i in range(50): print('xxxxxxxx')";
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, code, strlen(code), &o), AIRLOCK_OK);
    ck_assert_uint_eq(s.len[0], 10);
    airlock_stats st = {.size = sizeof st};
    airlock_sandbox_stats(sb, &st);
    ck_assert(st.stdout_truncated);
    ck_assert_uint_eq(st.stdout_bytes, 450);
    airlock_sandbox_free(sb);
}
END_TEST

/* Limits of one call apply to that call only. */
START_TEST(limits_for_one_call) {
    airlock_sandbox *sb = new_sandbox();
    airlock_limits tight = {.size = sizeof tight, .fuel = 1000000};
    airlock_exec_options o = AIRLOCK_EXEC_OPTIONS_INIT;
    o.limits = &tight;
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, "while True: pass", 16, &o), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_FUEL);
    ck_run_prints(sb, "print(sum(range(3000000)))", "4499998500000\n"); /* the sandbox's own: no fuel cap */
    airlock_limits bad = {.size = sizeof bad, .timeout_seconds = -1};
    o.limits = &bad;
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, "1", 1, &o), AIRLOCK_MISUSE);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "timeout"));
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(file_names_in_tracebacks) {
    airlock_sandbox *sb = new_sandbox();
    airlock_exec_options o = AIRLOCK_EXEC_OPTIONS_INIT;
    o.filename = "report.py";
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, "x = 1\n1/0", 9, &o), AIRLOCK_ERROR);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_error_traceback(sb), "File \"report.py\", line 2"));
    ck_assert_int_eq(run(sb, "1/0"), AIRLOCK_ERROR);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_error_traceback(sb), "File \"<stdin>\", line 1"));
    o.filename = "\xff\xfe";  /* not UTF-8 */
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, "1", 1, &o), AIRLOCK_MISUSE);
    o.filename = "";
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, "1", 1, &o), AIRLOCK_MISUSE);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(userdata_stays_with_the_sandbox) {
    airlock_sandbox *sb = new_sandbox();
    int mine;
    ck_assert_ptr_null(airlock_sandbox_userdata(sb));
    airlock_sandbox_set_userdata(sb, &mine);
    ck_run_prints(sb, "print(1)", "1\n");
    ck_assert_ptr_eq(airlock_sandbox_userdata(sb), &mine);
    ck_assert_ptr_null(airlock_sandbox_userdata(NULL));
    airlock_sandbox_free(sb);
}
END_TEST

/* The bounds-check mode is the build's: the other one is refused clearly. */
START_TEST(bounds_check_mode_is_the_builds) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
    int built = AIRLOCK_BOUNDS_GUARD, other = AIRLOCK_BOUNDS_EXPLICIT;
#else
    int built = AIRLOCK_BOUNDS_EXPLICIT, other = AIRLOCK_BOUNDS_GUARD;
#endif
    ck_assert_int_eq(airlock_runtime_set_bounds_checks(rt, built), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_set_bounds_checks(rt, other), AIRLOCK_MISUSE);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "built with"));
    ck_assert_int_eq(airlock_runtime_set_bounds_checks(rt, 7), AIRLOCK_MISUSE);
    airlock_runtime_free(rt);
}
END_TEST

/* Every getter answers on a NULL sandbox instead of crashing the host. */
START_TEST(getters_accept_null) {
    size_t len = 99;
    ck_assert_str_eq(airlock_sandbox_stdout(NULL, &len), "");
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(airlock_sandbox_stderr(NULL, NULL), "");
    len = 99;
    ck_assert_ptr_null(airlock_sandbox_result(NULL, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_null(airlock_sandbox_error_type(NULL));
    ck_assert_ptr_null(airlock_sandbox_error_message(NULL));
    ck_assert_ptr_null(airlock_sandbox_error_traceback(NULL));
    ck_assert_int_eq(airlock_sandbox_exit_code(NULL), 0);
    ck_assert_int_eq(airlock_sandbox_limit_hit(NULL), AIRLOCK_LIMIT_NONE);
    ck_assert_ptr_nonnull(airlock_sandbox_errmsg(NULL));
    airlock_stats st = {.size = sizeof(airlock_stats)};
    memset(&st, 0xff, sizeof st);
    st.size = sizeof st;
    ck_assert_int_eq(airlock_sandbox_stats(NULL, &st), AIRLOCK_OK);
    ck_assert_uint_eq(st.fuel_used, 0);
    airlock_sandbox_stats(NULL, NULL);
    airlock_sandbox_interrupt(NULL);
    airlock_sandbox_free(NULL);
    ck_assert_int_eq(airlock_sandbox_exec(NULL, "1", 1), AIRLOCK_MISUSE);
}
END_TEST

/* Recursion through C as deep as CPython's guards allow, on an embedder
 * thread with a 256 KiB stack: the guest runs on the runtime's own stack,
 * so CPython raises RecursionError (never a crash, not even the trap), and
 * the thread's next sandbox runs. */
static void *deep_compare(void *arg) {
    airlock_sandbox *sb = NULL;
    ck_assert_int_eq(airlock_sandbox_new(arg, &sb), AIRLOCK_OK);
    const char *deep = "import sys\nsys.setrecursionlimit(10**6)\nx = []; y = []\n"
                       "for i in range(10**6): x = [x]; y = [y]\nx == y";
#if defined(__SANITIZE_ADDRESS__)
    /* sanitizer builds keep the guest on the caller's stack (runtime/trap.c):
     * there the stack trap ends the call, cleanly */
    ck_assert_int_ne(run(sb, deep), AIRLOCK_OK);
#else
    ck_run_raises(sb, deep, "RecursionError");
#endif
    ck_run_prints(sb, "print(40 + 2)", "42\n");
    airlock_sandbox_free(sb);
    return NULL;
}

START_TEST(deep_c_recursion_on_a_small_thread) {
    airlock_runtime *rt = NULL;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    if (airlock_runtime_set_guest(rt, "cpython") != AIRLOCK_OK) { /* a build without it */
        airlock_runtime_free(rt);
        return;
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    ck_assert_int_eq(pthread_attr_setstacksize(&attr, 256 << 10), 0);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, &attr, deep_compare, rt), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&attr);
    airlock_runtime_free(rt);
}
END_TEST

static Suite *api_suite(void) {
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, runs_and_captures_output);
    tcase_add_test(tc, the_guest_is_chosen_and_named);
    tcase_add_test(tc, session_state_persists);
    tcase_add_test(tc, fresh_sandboxes_do_not_share_state);
    tcase_add_test(tc, result_is_repr_of_last_expression);
    tcase_add_test(tc, exceptions_have_type_message_traceback);
    tcase_add_test(tc, system_exit_keeps_its_code);
    tcase_add_test(tc, bad_input_is_an_exception_not_a_crash);
    tcase_add_test(tc, large_source_runs);
    tcase_add_test(tc, the_world_is_closed);
    tcase_add_test(tc, versions_are_reported);
    tcase_add_test(tc, getters_accept_null);
    tcase_add_test(tc, output_streams_as_it_is_written);
    tcase_add_test(tc, streamed_output_keeps_the_cap);
    tcase_add_test(tc, limits_for_one_call);
    tcase_add_test(tc, file_names_in_tracebacks);
    tcase_add_test(tc, userdata_stays_with_the_sandbox);
    tcase_add_test(tc, bounds_check_mode_is_the_builds);
    tcase_add_test(tc, deep_c_recursion_on_a_small_thread);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(api_suite)
