/*
 * test_api.c - the public C API: executions, sessions, results, errors,
 * bad input, and the closed world a fresh sandbox sees.
 */
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
    airlock_stats st;
    memset(&st, 0xff, sizeof st);
    airlock_sandbox_stats(NULL, &st);
    ck_assert_uint_eq(st.fuel_used, 0);
    airlock_sandbox_stats(NULL, NULL);
    airlock_sandbox_interrupt(NULL);
    airlock_sandbox_free(NULL);
    ck_assert_int_eq(airlock_sandbox_exec(NULL, "1", 1), AIRLOCK_MISUSE);
}
END_TEST

static Suite *api_suite(void) {
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, runs_and_captures_output);
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
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(api_suite)
