/*
 * test_values.c - structured values in and out of a sandbox
 * (airlock_sandbox_set_value, _get_value, _result_value), including what a
 * hostile guest or a careless host can hand over.
 */
#include <math.h>
#include <stdint.h>

#include "airlock_plugin.h"
#include "testutil.h"

/* Read global name, requiring success. */
static airlock_value *get(airlock_sandbox *sb, const char *name) {
    airlock_value *v = NULL;
    int rc = airlock_sandbox_get_value(sb, name, &v);
    ck_assert_msg(rc == AIRLOCK_OK, "get %s: rc=%d %s", name, rc, airlock_sandbox_errmsg(sb));
    ck_assert_ptr_nonnull(v);
    return v;
}

/* Reading global name fails with code and a message containing part. */
static void get_fails(airlock_sandbox *sb, const char *name, int code, const char *part) {
    airlock_value *v = (airlock_value *)1;
    int rc = airlock_sandbox_get_value(sb, name, &v);
    ck_assert_msg(rc == code, "get %s: rc=%d (want %d) %s", name, rc, code, airlock_sandbox_errmsg(sb));
    ck_assert_ptr_null(v);
    ck_assert_msg(strstr(airlock_sandbox_errmsg(sb), part), "message: %s", airlock_sandbox_errmsg(sb));
}

static void set_fails(airlock_sandbox *sb, const char *name, const airlock_value *v, int code, const char *part) {
    int rc = airlock_sandbox_set_value(sb, name, v);
    ck_assert_msg(rc == code, "set %s: rc=%d (want %d) %s", name, rc, code, airlock_sandbox_errmsg(sb));
    ck_assert_msg(strstr(airlock_sandbox_errmsg(sb), part), "message: %s", airlock_sandbox_errmsg(sb));
}

static airlock_value *sample(void) {
    airlock_value *d = airlock_value_new_dict();
    airlock_dict_set(d, "none", airlock_value_new_none());
    airlock_dict_set(d, "yes", airlock_value_new_bool(1));
    airlock_dict_set(d, "min", airlock_value_new_int(INT64_MIN));
    airlock_dict_set(d, "half", airlock_value_new_float(0.5));
    airlock_dict_set(d, "s", airlock_value_new_str("h\xc3\xa9llo \"q\"\n"));
    airlock_dict_set(d, "raw", airlock_value_new_bytes("\0\xff", 2));
    airlock_value *l = airlock_value_new_list();
    airlock_list_append(l, airlock_value_new_int(1));
    airlock_list_append(l, airlock_value_new_list());
    airlock_dict_set(d, "list", l);
    return d;
}

START_TEST(test_set_then_use_in_guest) {
    airlock_sandbox *sb = new_sandbox();
    airlock_value *d = sample();
    ck_assert_int_eq(airlock_sandbox_set_value(sb, "data", d), AIRLOCK_OK);
    airlock_value_free(d); /* the guest has its own copy */
    ck_run_prints(sb,
                  "print(data['none'], data['yes'], data['min'], data['half'], data['s'] == 'h\\xe9llo \"q\"\\n')\n"
                  "print(data['raw'], data['list'], type(data['min']).__name__)\n",
                  "None True -9223372036854775808 0.5 True\nb'\\x00\\xff' [1, []] int\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(test_round_trip) {
    airlock_sandbox *sb = new_sandbox();
    airlock_value *d = sample();
    ck_assert_int_eq(airlock_sandbox_set_value(sb, "data", d), AIRLOCK_OK);
    airlock_value_free(d);
    airlock_value *back = get(sb, "data");
    ck_assert_int_eq(airlock_value_kind(back), AIRLOCK_DICT);
    ck_assert_int_eq(airlock_value_len(back), 7);
    ck_assert_int_eq(airlock_value_kind(airlock_value_get(back, "none")), AIRLOCK_NONE);
    ck_assert_int_eq(airlock_value_bool(airlock_value_get(back, "yes")), 1);
    ck_assert(airlock_value_int(airlock_value_get(back, "min")) == INT64_MIN);
    ck_assert(airlock_value_float(airlock_value_get(back, "half")) == 0.5);
    size_t n;
    ck_assert_str_eq(airlock_value_str(airlock_value_get(back, "s"), &n), "h\xc3\xa9llo \"q\"\n");
    const uint8_t *raw = airlock_value_bytes(airlock_value_get(back, "raw"), &n);
    ck_assert_uint_eq(n, 2);
    ck_assert(raw[0] == 0 && raw[1] == 0xff);
    const airlock_value *l = airlock_value_get(back, "list");
    ck_assert_int_eq(airlock_value_len(l), 2);
    ck_assert_int_eq(airlock_value_kind(airlock_value_item(l, 1)), AIRLOCK_LIST);
    airlock_value_free(back);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(test_guest_values) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "t = (1, -2.25, 'a', b'\\x00', None, {'k': [True, False]})\nbig = 2**63 - 1\n", "");
    airlock_value *t = get(sb, "t");
    ck_assert_int_eq(airlock_value_kind(t), AIRLOCK_LIST); /* a tuple arrives as a list */
    ck_assert_int_eq(airlock_value_len(t), 6);
    ck_assert(airlock_value_float(airlock_value_item(t, 1)) == -2.25);
    ck_assert_int_eq(airlock_value_kind(airlock_value_item(t, 3)), AIRLOCK_BYTES);
    const airlock_value *k = airlock_value_get(airlock_value_item(t, 5), "k");
    ck_assert_int_eq(airlock_value_bool(airlock_value_item(k, 0)), 1);
    airlock_value_free(t);
    airlock_value *big = get(sb, "big");
    ck_assert(airlock_value_int(big) == INT64_MAX);
    airlock_value_free(big);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(test_result_value) {
    airlock_sandbox *sb = new_sandbox();
    airlock_value *v = NULL;
    ck_assert_int_eq(run(sb, "xs = [1, 2, 3]\n{'sum': sum(xs)}\n"), AIRLOCK_OK);
    ck_assert_int_eq(airlock_sandbox_result_value(sb, &v), AIRLOCK_OK);
    ck_assert_int_eq(airlock_value_int(airlock_value_get(v, "sum")), 6);
    airlock_value_free(v);
    ck_assert_int_eq(run(sb, "y = 1\n"), AIRLOCK_OK);
    ck_assert_int_eq(airlock_sandbox_result_value(sb, &v), AIRLOCK_OK);
    ck_assert_int_eq(airlock_value_kind(v), AIRLOCK_NONE);
    airlock_value_free(v);
    /* an execution that raised leaves no value either */
    ck_assert_int_eq(run(sb, "5\n"), AIRLOCK_OK);
    ck_assert_int_eq(run(sb, "1/0\n"), AIRLOCK_ERROR);
    ck_assert_int_eq(airlock_sandbox_result_value(sb, &v), AIRLOCK_OK);
    ck_assert_int_eq(airlock_value_kind(v), AIRLOCK_NONE);
    airlock_value_free(v);
    airlock_sandbox_free(sb);
}
END_TEST

/* Limit sb so that an endless loop stops: by fuel where its guest counts
 * fuel, else by a timeout (AIRLOCK_TEST_GUEST=cpython); the limit's kind. */
static airlock_limit_kind stop_endless(airlock_sandbox *sb) {
    airlock_limits lim = {.size = sizeof lim, .fuel = 5000000};
    if (airlock_sandbox_set_limits(sb, &lim) == AIRLOCK_OK) return AIRLOCK_LIMIT_FUEL;
    lim = (airlock_limits){.size = sizeof lim, .timeout_seconds = 0.3};
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, &lim), AIRLOCK_OK);
    return AIRLOCK_LIMIT_TIMEOUT;
}

START_TEST(test_outcome_kept) {
    airlock_sandbox *sb = new_sandbox();
    ck_assert_int_eq(run(sb, "class D(dict):\n"
                             "    def __getitem__(self, k):\n"
                             "        print('noise')\n"
                             "        return 1\n"
                             "d = D(a=0)\nprint('hi')\n42\n"), AIRLOCK_OK);
    airlock_value *v = get(sb, "d");
    ck_assert_int_eq(airlock_value_int(airlock_value_get(v, "a")), 1);
    airlock_value_free(v);
    /* the guest's print during the read is dropped; the run's outcome stays */
    ck_assert_str_eq(airlock_sandbox_stdout(sb, NULL), "hi\n");
    ck_assert_str_eq(airlock_sandbox_result(sb, NULL), "42");
    /* and so does the limit that stopped it */
    airlock_limit_kind kind = stop_endless(sb);
    ck_assert_int_eq(run(sb, "n = 3\nwhile True:\n    pass\n"), AIRLOCK_LIMIT);
    airlock_value_free(get(sb, "n"));
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), kind);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(test_misuse) {
    airlock_sandbox *sb = new_sandbox();
    airlock_value *one = airlock_value_new_int(1), *v = NULL;
    ck_assert_int_eq(airlock_sandbox_set_value(NULL, "x", one), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_sandbox_get_value(NULL, "x", &v), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_sandbox_get_value(sb, "x", NULL), AIRLOCK_MISUSE);
    set_fails(sb, NULL, one, AIRLOCK_MISUSE, "identifier");
    set_fails(sb, "x", NULL, AIRLOCK_MISUSE, "NULL");
    const char *bad[] = {"", "1x", "a.b", "x y", "caf\xc3\xa9", "__import__('os')"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        set_fails(sb, bad[i], one, AIRLOCK_MISUSE, "identifier");
        get_fails(sb, bad[i], AIRLOCK_MISUSE, "identifier");
    }
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    set_fails(sb, longname, one, AIRLOCK_MISUSE, "identifier");
    get_fails(sb, "missing", AIRLOCK_ERROR, "no global named 'missing'");
    airlock_value_free(one);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(test_host_value_refused) {
    airlock_sandbox *sb = new_sandbox();
    /* invalid UTF-8 from the host */
    airlock_value *l = airlock_value_new_list();
    airlock_list_append(l, airlock_value_new_strn("\xff\xfe", 2));
    set_fails(sb, "x", l, AIRLOCK_MISUSE, "UTF-8");
    airlock_value_free(l);
    /* a cycle is refused when it is built, and the list remembers */
    l = airlock_value_new_list();
    ck_assert_int_eq(airlock_list_append(l, l), AIRLOCK_MISUSE);
    set_fails(sb, "x", l, AIRLOCK_MISUSE, "built wrongly");
    airlock_value_free(l);
    /* nesting deeper than the call limits (32 by default) */
    airlock_value *top = airlock_value_new_list(), *cur = top;
    for (int i = 0; i < 200; i++) {
        airlock_value *next = airlock_value_new_list();
        airlock_list_append(cur, next);
        cur = next;
    }
    set_fails(sb, "x", top, AIRLOCK_ERROR, "nested too deeply");
    airlock_value_free(top);
    /* nothing was set by the refusals */
    get_fails(sb, "x", AIRLOCK_ERROR, "no global named 'x'");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(test_guest_value_refused) {
    airlock_sandbox *sb = new_sandbox();
    ck_assert_int_eq(run(sb, "class Foo:\n    pass\n"
                             "obj = [1, Foo()]\n"
                             "keys = {1: 'one'}\n"
                             "deep = []\nb = deep\nfor _ in range(5000):\n    b.append([])\n    b = b[0]\n"
                             "loop = []\nloop.append(loop)\n"
                             "huge = 2**64\n"
                             "sur = '\\ud800'\n"
                             "f = len\n"), AIRLOCK_OK);
    get_fails(sb, "obj", AIRLOCK_ERROR, "Foo");
    get_fails(sb, "keys", AIRLOCK_ERROR, "must be str");
    get_fails(sb, "deep", AIRLOCK_ERROR, "nested too deeply");
    get_fails(sb, "loop", AIRLOCK_ERROR, "nested too deeply");
    get_fails(sb, "huge", AIRLOCK_ERROR, "64 bits");
    get_fails(sb, "sur", AIRLOCK_ERROR, "UTF-8");
    get_fails(sb, "f", AIRLOCK_ERROR, "cannot pass");
    /* the sandbox carries on */
    ck_run_prints(sb, "print(len(obj))\n", "2\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(test_nan_and_inf) {
    airlock_sandbox *sb = new_sandbox();
    airlock_value *l = airlock_value_new_list();
    airlock_list_append(l, airlock_value_new_float(NAN));
    airlock_list_append(l, airlock_value_new_float(-INFINITY));
    ck_assert_int_eq(airlock_sandbox_set_value(sb, "x", l), AIRLOCK_OK);
    airlock_value_free(l);
    ck_run_prints(sb, "import math\nprint(math.isnan(x[0]), x[1])\ny = [float('nan'), float('inf')]\n",
                  "True -inf\n");
    airlock_value *y = get(sb, "y");
    ck_assert(isnan(airlock_value_float(airlock_value_item(y, 0))));
    ck_assert(isinf(airlock_value_float(airlock_value_item(y, 1))));
    airlock_value_free(y);
    airlock_sandbox_free(sb);
}
END_TEST

/* A runtime with small call limits: too many, too large, both ways. */
START_TEST(test_caps) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    airlock_call_limits cl = {.max_depth = 4, .max_arg_bytes = 65536, .max_result_bytes = 4096, .max_items = 1000};
    ck_assert_int_eq(airlock_runtime_set_call_limits(rt, &cl), AIRLOCK_OK);
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_assert_int_eq(run(sb, "many = [0] * 1500\nwide = 'x' * 70000\nok = [[[1]]]\ndeep = [[[[[1]]]]]\n"), AIRLOCK_OK);
    get_fails(sb, "many", AIRLOCK_ERROR, "too many values");
    get_fails(sb, "wide", AIRLOCK_ERROR, "too large");
    get_fails(sb, "deep", AIRLOCK_ERROR, "nested too deeply");
    airlock_value_free(get(sb, "ok"));
    airlock_value *l = airlock_value_new_list();
    for (int i = 0; i < 3000; i++) airlock_list_append(l, airlock_value_new_int(i));
    set_fails(sb, "x", l, AIRLOCK_ERROR, "too large");
    airlock_value_free(l);
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

/* Guest code that runs during a read obeys the sandbox's limits; the
 * sandbox stays usable. */
START_TEST(test_limits_apply) {
    airlock_sandbox *sb = new_sandbox();
    ck_assert_int_eq(run(sb, "class D(dict):\n"
                             "    def __getitem__(self, k):\n"
                             "        while True:\n"
                             "            pass\n"
                             "d = D(a=0)\n"), AIRLOCK_OK);
    airlock_limit_kind kind = stop_endless(sb);
    get_fails(sb, "d", AIRLOCK_LIMIT, airlock_limit_name(kind));
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), kind);
    /* an interrupt sent before the read stops it */
    airlock_limits lim = {.size = sizeof lim};
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, &lim), AIRLOCK_OK);
    airlock_sandbox_interrupt(sb);
    get_fails(sb, "d", AIRLOCK_LIMIT, "interrupt");
    ck_run_prints(sb, "print(type(d).__name__)\n", "D\n");
    airlock_sandbox_free(sb);
}
END_TEST

static Suite *values_suite(void) {
    Suite *s = suite_create("values");
    TCase *tc = tcase_create("values");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_set_then_use_in_guest);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_guest_values);
    tcase_add_test(tc, test_result_value);
    tcase_add_test(tc, test_outcome_kept);
    tcase_add_test(tc, test_misuse);
    tcase_add_test(tc, test_host_value_refused);
    tcase_add_test(tc, test_guest_value_refused);
    tcase_add_test(tc, test_nan_and_inf);
    tcase_add_test(tc, test_caps);
    tcase_add_test(tc, test_limits_apply);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(values_suite)
