/*
 * test_plugins.c - host functions, plugins, env, deterministic mode, audit,
 * and the host-call codec fed hostile input.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "airlock_plugin.h"
#include "plugins/codec.h"
#include "testutil.h"

#ifndef TEST_BUILD_DIR
#define TEST_BUILD_DIR "build"
#endif

/* ---- host functions used by the tests ------------------------------------ */

/* echo(*args, **kwargs) -> [list(args), kwargs] */
static int t_echo(airlock_call *call) {
    airlock_value *out = airlock_value_new_list();
    airlock_value *args = airlock_value_new_list();
    for (size_t i = 0; i < airlock_call_argc(call); i++)
        airlock_list_append(args, airlock_value_copy(airlock_call_arg(call, i)));
    airlock_value *kw = airlock_value_new_dict();
    for (size_t i = 0; i < airlock_call_kwargc(call); i++) {
        const char *name = airlock_call_kwname(call, i);
        airlock_dict_set(kw, name, airlock_value_copy(airlock_call_kwarg(call, name)));
    }
    airlock_list_append(out, args);
    airlock_list_append(out, kw);
    return airlock_call_return(call, out);
}

/* one(x) -> x (a copy): scalars take the fast path */
static int t_one(airlock_call *call) {
    const airlock_value *v = airlock_call_param(call, 0, "x");
    if (!v) return airlock_call_raise(call, "TypeError", "one() needs x");
    return airlock_call_return(call, airlock_value_copy(v));
}

static int t_fail(airlock_call *call) {
    const char *msg;
    size_t len;
    if (airlock_call_get_str(call, 0, "msg", &msg, &len)) return AIRLOCK_ERROR;
    return airlock_call_raise(call, "ValueError", "%s", msg);
}

static int t_deny(airlock_call *call) { return airlock_call_deny(call, "not granted: %s", "the moon"); }

static int t_noanswer(airlock_call *call) {
    (void)call;
    return AIRLOCK_ERROR; /* neither returned nor raised */
}

/* make(kind, n): results the host builds */
static int t_make(airlock_call *call) {
    const char *kind;
    size_t len;
    int64_t n;
    if (airlock_call_get_str(call, 0, "kind", &kind, &len) || airlock_call_get_int(call, 1, "n", &n))
        return AIRLOCK_ERROR;
    if (strcmp(kind, "str") == 0) {
        char *s = malloc((size_t)n + 1);
        memset(s, 'x', (size_t)n);
        airlock_value *v = airlock_value_new_strn(s, (size_t)n);
        free(s);
        return airlock_call_return(call, v);
    }
    if (strcmp(kind, "deep") == 0) {
        airlock_value *root = airlock_value_new_list(), *cur = root;
        for (int64_t i = 0; i < n; i++) {
            airlock_value *next = airlock_value_new_list();
            airlock_list_append(cur, next);
            cur = next;
        }
        return airlock_call_return(call, root);
    }
    if (strcmp(kind, "mixed") == 0) {
        airlock_value *d = airlock_value_new_dict();
        airlock_dict_set(d, "big", airlock_value_new_int(INT64_MAX));
        airlock_dict_set(d, "neg", airlock_value_new_int(INT64_MIN));
        airlock_dict_set(d, "bytes", airlock_value_new_bytes("\x00\x01\xff", 3));
        airlock_dict_set(d, "nan", airlock_value_new_float(NAN));
        airlock_dict_set(d, "inf", airlock_value_new_float(-INFINITY));
        airlock_dict_set(d, "half", airlock_value_new_float(0.5));
        airlock_dict_set(d, "one", airlock_value_new_float(1.0));
        airlock_dict_set(d, "text", airlock_value_new_str("caf\xc3\xa9 \"q\"\n\x01"));
        return airlock_call_return(call, d);
    }
    if (strcmp(kind, "badutf8") == 0) {
        airlock_value *l = airlock_value_new_list();
        airlock_list_append(l, airlock_value_new_str("\xff\xfe"));
        return airlock_call_return(call, l);
    }
    if (strcmp(kind, "bytes") == 0) return airlock_call_return(call, airlock_value_new_bytes("a\0b", 3));
    if (strcmp(kind, "bigint") == 0) return airlock_call_return(call, airlock_value_new_int((int64_t)1 << 40));
    return airlock_call_raise(call, "ValueError", "unknown kind %s", kind);
}

/* Long work that polls airlock_call_should_stop(); gives up after 20 s. */
static int t_spin(airlock_call *call) {
    for (int i = 0; i < 20000; i++) {
        int why = airlock_call_should_stop(call);
        if (why) return airlock_call_raise(call, "RuntimeError", "stopped: %s", airlock_limit_name(why));
        usleep(1000);
    }
    return airlock_call_return(call, airlock_value_new_str("never stopped"));
}

static void register_test_functions(airlock_runtime *rt) {
    ck_assert_int_eq(airlock_runtime_register_function(rt, "t", "spin", t_spin, NULL), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "t", "echo", t_echo, NULL), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "t", "one", t_one, NULL), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "t", "fail", t_fail, NULL), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "t", "deny", t_deny, NULL), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "t", "noanswer", t_noanswer, NULL), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "t", "make", t_make, NULL), AIRLOCK_OK);
}

static airlock_runtime *fn_rt;

static airlock_sandbox *fn_sandbox(void) {
    if (!fn_rt) {
        ck_assert_int_eq(airlock_runtime_new(&fn_rt), AIRLOCK_OK);
        register_test_functions(fn_rt);
    }
    airlock_sandbox *sb = NULL;
    int rc = airlock_sandbox_new(fn_rt, &sb);
    ck_assert_msg(rc == AIRLOCK_OK, "sandbox_new: %s", airlock_sandbox_errmsg(sb));
    return sb;
}

#define PY_OK(sb, code) ck_run_prints(sb, code "\nprint('ok')\n", "ok\n")

/* ---- round trips ------------------------------------------------------------ */

START_TEST(scalars_round_trip) {
    airlock_sandbox *sb = fn_sandbox();
    PY_OK(sb, "import t\n"
              "for v in (None, True, False, 0, 1, -1, 2**31 - 1, -2**31, 2**31, -2**31 - 1, 2**63 - 1, -2**63,\n"
              "          0.0, -0.0, 1.5, 1e300, -2.5e-300, float('inf'), float('-inf'), '', 'abc',\n"
              "          'caf\\u00e9 \\U0001f600 \\x00 \\n \"', b'', b'\\x00\\xff\\x80', bytearray(b'xy')):\n"
              "    r = t.one(v)\n"
              "    assert r == v and type(r) is (bytes if type(v) is bytearray else type(v)), (v, r)\n"
              "    r2 = t.echo(v)[0][0]\n"
              "    assert r2 == v and type(r2) is type(r), (v, r2)\n"
              "import math\n"
              "assert math.isnan(t.one(float('nan'))) and math.isnan(t.echo(float('nan'))[0][0])\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(containers_round_trip) {
    airlock_sandbox *sb = fn_sandbox();
    PY_OK(sb, "import t\n"
              "v = [1, [2, [3, []]], {'a': {'b': [None, b'z', 1.25]}}, {}, (4, 5), 'x']\n"
              "r = t.one(v)\n"
              "assert r == [1, [2, [3, []]], {'a': {'b': [None, b'z', 1.25]}}, {}, [4, 5], 'x'], r\n"
              "assert t.one((1, 2)) == [1, 2]\n"
              "d = {'k%d' % i: i for i in range(50)}\n"
              "assert t.one(d) == d\n"
              "big = list(range(10000))\n"
              "assert t.one(big) == big\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(kwargs_reach_the_host) {
    airlock_sandbox *sb = fn_sandbox();
    PY_OK(sb, "import t\n"
              "assert t.echo(1, x=2) == [[1], {'x': 2}]\n"
              "assert t.echo(y='s', z=[1]) == [[], {'y': 's', 'z': [1]}]\n"
              "assert t.one(x=7) == 7\n"
              "assert t.make('str', n=3) == 'xxx'\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(results_built_by_the_host) {
    airlock_sandbox *sb = fn_sandbox();
    PY_OK(sb, "import t, math\n"
              "d = t.make('mixed', 0)\n"
              "assert d['big'] == 2**63 - 1 and d['neg'] == -2**63\n"
              "assert d['bytes'] == b'\\x00\\x01\\xff' and math.isnan(d['nan']) and d['inf'] == float('-inf')\n"
              "assert d['half'] == 0.5 and type(d['one']) is float and d['one'] == 1.0\n"
              "assert d['text'] == 'caf\\u00e9 \"q\"\\n\\x01'\n"
              "assert t.make('bytes', 0) == b'a\\x00b'\n"
              "assert t.make('bigint', 0) == 2**40\n");
    airlock_sandbox_free(sb);
}
END_TEST

/* ---- errors ------------------------------------------------------------------- */

START_TEST(host_errors_are_catchable) {
    airlock_sandbox *sb = fn_sandbox();
    ck_run_prints(sb,
                  "import t\n"
                  "try:\n    t.fail('boom')\nexcept ValueError as e:\n    print('caught', e)\n"
                  "try:\n    t.deny()\nexcept PermissionError as e:\n    print('denied', e)\n"
                  "try:\n    t.noanswer()\nexcept RuntimeError as e:\n    print('rt', e)\n"
                  "try:\n    t.fail(1)\nexcept TypeError as e:\n    print('type', e)\n"
                  "try:\n    t.make('badutf8', 0)\nexcept ValueError as e:\n    print('utf8')\n",
                  "caught boom\ndenied not granted: the moon\nrt host function t.noanswer failed\n"
                  "type fail() argument 'msg' must be str, not int\nutf8\n");
    ck_run_raises(sb, "import t\nt.fail('uncaught')", "ValueError");
    ck_assert_str_eq(airlock_sandbox_error_message(sb), "uncaught");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(caps_and_types) {
    airlock_sandbox *sb = fn_sandbox();
    ck_run_prints(sb,
                  "import t\n"
                  "for v in (2**63, -2**63 - 1, 10**30):\n"
                  "    try:\n        t.one(v)\n    except OverflowError:\n        print('overflow')\n"
                  "x = []\n"
                  "for i in range(40):\n    x = [x]\n"
                  "try:\n    t.one(x)\nexcept ValueError as e:\n    print('deep')\n"
                  "try:\n    t.make('deep', 40)\nexcept ValueError as e:\n    print('deep result')\n"
                  "try:\n    t.one(object())\nexcept TypeError:\n    print('object')\n"
                  "try:\n    t.one({1: 2})\nexcept TypeError:\n    print('key')\n",
                  "overflow\noverflow\noverflow\ndeep\ndeep result\nobject\nkey\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(size_caps_configurable) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    register_test_functions(rt);
    airlock_call_limits lim = {.max_arg_bytes = 1000, .max_result_bytes = 1000, .max_depth = 4};
    ck_assert_int_eq(airlock_runtime_set_call_limits(rt, &lim), AIRLOCK_OK);
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_run_prints(sb,
                  "import t\n"
                  "print(len(t.one('y' * 900)))\n"
                  "try:\n    t.one('y' * 2000)\nexcept ValueError as e:\n    print('args', 'too large' in str(e))\n"
                  "try:\n    t.make('str', 2000)\nexcept ValueError as e:\n    print('result', 'too large' in str(e))\n"
                  "print(t.one([[[1]]]))\n"
                  "try:\n    t.one([[[[1]]]])\nexcept ValueError:\n    print('depth')\n",
                  "900\nargs True\nresult True\n[[[1]]]\ndepth\n");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

START_TEST(bridge_stays_closed) {
    airlock_sandbox *sb = fn_sandbox();
    ck_run_prints(sb,
                  "import js\n"
                  "for n in ('_airlock_host_call', 'process', 'require', 'globalThis'):\n"
                  "    try:\n        getattr(js, n)\n        print('OPEN', n)\n"
                  "    except AttributeError:\n        pass\n"
                  "try:\n    import _airlock_host\n    print('OPEN module')\nexcept ImportError:\n    pass\n"
                  "print('closed')\n",
                  "closed\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(registration_rules) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "m", "f", t_one, NULL), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "m", "f", t_one, NULL), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "sys", "f", t_one, NULL), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "m-x", "f", t_one, NULL), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "m", "__init__", t_one, NULL), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "m", "g", NULL, NULL), AIRLOCK_MISUSE);
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_register_function(rt, "m", "late", t_one, NULL), AIRLOCK_MISUSE);
    ck_run_prints(sb, "import m\nprint(m.f(3))\n", "3\n");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

/* A session keeps the host modules it imported; loaded where those functions
 * do not exist (or others do under the same numbers), calls are refused. */
START_TEST(sessions_cannot_call_foreign_functions) {
    airlock_sandbox *sb = fn_sandbox();
    ck_run_prints(sb, "import t\nf = t.one\nprint(f(5))\n", "5\n");
    char path[] = "/tmp/airlock-session-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(airlock_sandbox_save(sb, path), AIRLOCK_OK);
    airlock_sandbox_free(sb);
    const char *probe = "try:\n    f(1)\nexcept PermissionError as e:\n    print('refused')\n";
    for (int variant = 0; variant < 2; variant++) {
        airlock_runtime *rt;
        ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
        if (variant == 1) /* same module, another list of functions */
            ck_assert_int_eq(airlock_runtime_register_function(rt, "t", "other", t_echo, NULL), AIRLOCK_OK);
        airlock_sandbox *loaded;
        int rc = airlock_sandbox_load(rt, path, &loaded);
        ck_assert_msg(rc == AIRLOCK_OK, "load: %s", airlock_sandbox_errmsg(loaded));
        ck_run_prints(loaded, probe, "refused\n");
        airlock_sandbox_free(loaded);
        airlock_runtime_free(rt);
    }
    unlink(path);
}
END_TEST

/* ---- plugins ------------------------------------------------------------------------ */

START_TEST(example_plugin_loads) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    int rc = airlock_runtime_load_plugin(rt, TEST_BUILD_DIR "/plugins/example.so", "greeting=Howdy");
    ck_assert_msg(rc == AIRLOCK_OK, "%s", airlock_runtime_errmsg(rt));
    const char *grants = airlock_runtime_describe_grants(rt);
    ck_assert_ptr_nonnull(strstr(grants, "Howdy, NAME!"));
    ck_assert_ptr_nonnull(strstr(grants, "import example: greet(), add(), stats()"));
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_run_prints(sb,
                  "import example\n"
                  "print(example.greet('Ada'), example.shout('bo'), example.add(2, b=3))\n"
                  "s = example.stats([1, 2, 3.0])\n"
                  "print(s['count'], s['sum'], s['mean'])\n"
                  "try:\n    example.stats([])\nexcept example.ExampleError as e:\n    print('ExampleError', e)\n"
                  "try:\n    example.add(2**62, 2**62)\nexcept OverflowError:\n    print('overflow')\n",
                  "Howdy, Ada! HOWDY, BO! 5\n3 6.0 2.0\nExampleError no numbers\noverflow\n");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

/* A plugin built for ABI 1.0 (before minor versions) still loads and runs. */
START_TEST(older_minor_plugin_loads) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    int rc = airlock_runtime_load_plugin(rt, TEST_BUILD_DIR "/tests/plugins/old_minor.so", NULL);
    ck_assert_msg(rc == AIRLOCK_OK, "%s", airlock_runtime_errmsg(rt));
    airlock_sandbox *sb = NULL;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_run_prints(sb, "import old\nprint(old.twice(21))", "42\n");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

START_TEST(plugins_refused) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_load_plugin(rt, TEST_BUILD_DIR "/tests/plugins/bad_abi.so", NULL),
                     AIRLOCK_DENIED);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "ABI 999.0"));
    ck_assert_int_eq(airlock_runtime_load_plugin(rt, TEST_BUILD_DIR "/tests/plugins/newer_minor.so", NULL),
                     AIRLOCK_DENIED);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "plugin ABI 1.999"));
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "needs a newer airlock"));
    ck_assert_int_eq(airlock_runtime_load_plugin(rt, TEST_BUILD_DIR "/tests/plugins/no_symbol.so", NULL),
                     AIRLOCK_DENIED);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "does not export airlock_plugin_abi"));
    ck_assert_int_eq(airlock_runtime_load_plugin(rt, TEST_BUILD_DIR "/no/such/plugin.so", NULL), AIRLOCK_DENIED);
    ck_assert_int_eq(airlock_runtime_load_plugin(rt, TEST_BUILD_DIR "/plugins/example.so", "colour=red"),
                     AIRLOCK_DENIED);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "unknown option"));
    /* refusals leave nothing behind: the sandbox has no example module */
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_run_raises(sb, "import example", "ImportError");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

/* ---- env ------------------------------------------------------------------------------- */

START_TEST(env_only_granted_names) {
    setenv("AIRLOCK_T_GRANTED", "yes", 1);
    setenv("AIRLOCK_T_SECRET", "s3cret", 1);
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_allow_env(rt, "AIRLOCK_T_GRANTED"), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_allow_env(rt, "AIRLOCK_T_UNSET"), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_allow_env(rt, "A=B"), AIRLOCK_MISUSE);
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_run_prints(sb,
                  "import os\n"
                  "print(os.getenv('AIRLOCK_T_GRANTED'), os.getenv('AIRLOCK_T_SECRET'), os.getenv('AIRLOCK_T_UNSET'))\n"
                  "print(os.environ.get('AIRLOCK_T_SECRET', 'absent'), 'AIRLOCK_T_SECRET' in os.environ)\n"
                  "print(list(os.environ), os.environ['AIRLOCK_T_GRANTED'])\n"
                  "print('HOME' in os.environ, os.getenv('PATH', 'nopath'))\n"
                  "try:\n    os.environ['AIRLOCK_T_SECRET']\nexcept KeyError:\n    print('KeyError')\n"
                  "os.environ['MINE'] = '1'\n"
                  "print(os.getenv('MINE'), sorted(os.environ.keys()))\n",
                  "yes None None\nabsent False\n['AIRLOCK_T_GRANTED'] yes\nFalse nopath\nKeyError\n"
                  "1 ['AIRLOCK_T_GRANTED', 'MINE']\n");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

START_TEST(env_nothing_by_default) {
    setenv("AIRLOCK_T_SECRET", "s3cret", 1);
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "import os\nprint(os.getenv('AIRLOCK_T_SECRET'), os.getenv('HOME'), len(os.environ))\n",
                  "None None 0\n");
    airlock_sandbox_free(sb);
}
END_TEST

/* ---- deterministic mode ---------------------------------------------------------------- */

static const char det_program[] =
    "import time, random\n"
    "print(time.time(), time.ticks_ms(), time.localtime()[:6])\n"
    "print(random.random(), random.getrandbits(30), random.randint(1, 10**6))\n"
    "time.sleep(0.05)\n"
    "print(time.time())\n";

static char *run_det(int deterministic, uint64_t seed) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    if (deterministic) ck_assert_int_eq(airlock_runtime_set_deterministic(rt, 1, seed), AIRLOCK_OK);
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    int rc = run(sb, det_program);
    ck_assert_msg(rc == AIRLOCK_OK, "%s", airlock_sandbox_error_traceback(sb) ? airlock_sandbox_error_traceback(sb) : "");
    char *out = strdup(airlock_sandbox_stdout(sb, NULL));
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
    return out;
}

START_TEST(deterministic_output_repeats) {
    char *a = run_det(1, 42), *b = run_det(1, 42), *c = run_det(1, 43);
    ck_assert_str_eq(a, b);
    ck_assert_str_ne(a, c);
    ck_assert_ptr_nonnull(strstr(a, "(2024, 1, 1, 0, 0, 0)"));
    free(a);
    free(b);
    free(c);
}
END_TEST

START_TEST(fresh_sandboxes_do_not_replay_a_seed) {
    airlock_sandbox *s1 = new_sandbox(), *s2 = new_sandbox();
    const char *prog = "import random\nprint(random.getrandbits(32), random.getrandbits(32))\n";
    ck_assert_int_eq(run(s1, prog), AIRLOCK_OK);
    ck_assert_int_eq(run(s2, prog), AIRLOCK_OK);
    ck_assert_str_ne(airlock_sandbox_stdout(s1, NULL), airlock_sandbox_stdout(s2, NULL));
    airlock_sandbox_free(s1);
    airlock_sandbox_free(s2);
    char *a = run_det(0, 0), *b = run_det(0, 0);
    ck_assert_str_ne(a, b);
    free(a);
    free(b);
}
END_TEST

/* ---- audit ------------------------------------------------------------------------------ */

typedef struct audit_log {
    char lines[16][512];
    int n;
} audit_log;

static void collect(void *ud, const airlock_audit_record *rec) {
    audit_log *log = ud;
    if (log->n < 16) snprintf(log->lines[log->n++], sizeof log->lines[0], "%s", rec->json);
}

START_TEST(audit_records_allowed_and_denied) {
    setenv("AIRLOCK_T_GRANTED", "yes", 1);
    audit_log log = {.n = 0};
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    register_test_functions(rt);
    ck_assert_int_eq(airlock_runtime_allow_env(rt, "AIRLOCK_T_GRANTED"), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_set_audit(rt, collect, &log), AIRLOCK_OK);
    char path[] = "/tmp/airlock-audit-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(airlock_runtime_audit_file(rt, path), AIRLOCK_OK);
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_run_prints(sb,
                  "import t, os\n"
                  "t.one('abc')\n"
                  "os.getenv('AIRLOCK_T_SECRET')\n"
                  "try:\n    t.deny()\nexcept PermissionError:\n    pass\n"
                  "try:\n    t.fail('x')\nexcept ValueError:\n    pass\n"
                  "print(os.getenv('AIRLOCK_T_GRANTED'))\n",
                  "yes\n");
    ck_assert_int_eq(log.n, 5);
    ck_assert_ptr_nonnull(strstr(log.lines[0], "\"plugin\":\"host\",\"module\":\"t\",\"function\":\"one\","
                                               "\"decision\":\"allowed\""));
    ck_assert_ptr_nonnull(strstr(log.lines[0], "\"bytes_in\":"));
    ck_assert_ptr_nonnull(strstr(log.lines[1], "\"plugin\":\"env\""));
    ck_assert_ptr_nonnull(strstr(log.lines[1], "\"decision\":\"denied\""));
    ck_assert_ptr_nonnull(strstr(log.lines[2], "\"decision\":\"denied\""));
    ck_assert_ptr_nonnull(strstr(log.lines[2], "\"error\":\"PermissionError\""));
    ck_assert_ptr_nonnull(strstr(log.lines[3], "\"decision\":\"allowed\",\"reason\":null,\"error\":\"ValueError\""));
    ck_assert_ptr_nonnull(strstr(log.lines[4], "\"decision\":\"allowed\""));
    FILE *f = fdopen(fd, "r");
    char line[512];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        ck_assert_str_eq(line + strlen(line) - 1, "\n");
        lines++;
    }
    fclose(f);
    unlink(path);
    ck_assert_int_eq(lines, 5);
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

/* ---- the codec against hostile input ----------------------------------------------------- */

static const codec_limits lim = {.max_depth = 8, .max_items = 1000, .max_bytes = 4096, .what = "host call"};

static bool decodes(const char *blob, size_t len, codec_error *err) {
    codec_call c;
    bool ok = codec_decode_call((const uint8_t *)blob, len, &lim, &c, err);
    if (ok) codec_call_free(&c);
    return ok;
}

#define DECODES(s) decodes(s, sizeof(s) - 1, &err)

START_TEST(codec_accepts_good_calls) {
    codec_error err;
    codec_call c;
    const char good[] = "7:3:l4:i-9223372036854775808;s2:\xc3\xa9xb2:00ffNd1:s1:kf000000000000f83f";
    ck_assert(codec_decode_call((const uint8_t *)good, sizeof good - 1, &lim, &c, &err));
    ck_assert_uint_eq(c.fingerprint, 7);
    ck_assert_uint_eq(c.fid, 3);
    ck_assert_uint_eq(airlock_value_len(c.args), 4);
    ck_assert(airlock_value_int(airlock_value_item(c.args, 0)) == INT64_MIN);
    size_t n;
    ck_assert_str_eq(airlock_value_str(airlock_value_item(c.args, 1), &n), "\xc3\xa9x");
    ck_assert_uint_eq(n, 3);
    ck_assert(airlock_value_float(airlock_value_get(c.kwargs, "k")) == 1.5);
    codec_call_free(&c);
    ck_assert(DECODES("0:0:l0:d0:"));
}
END_TEST

START_TEST(codec_refuses_hostile_calls) {
    codec_error err;
    static const char *const bad[] = {
        "",                          /* empty */
        "0:0:",                      /* no args */
        "0:0:l0:",                   /* no kwargs */
        "0:0:l0:d0:N",               /* trailing bytes */
        "0:0:l1:d0:",                /* count larger than the items */
        "0:0:l4294967295:Nd0:",      /* count that would overflow an allocation */
        "0:0:l99999999999999999999999:d0:", /* count that overflows u64 */
        "0:0:l1:s5:abd0:",           /* str shorter than its count */
        "0:0:l1:s1:\xff" "d0:",      /* invalid UTF-8 */
        "0:0:l1:s1:\xc0\x80" "d0:",  /* overlong NUL */
        "0:0:l1:s1:\xed\xa0\x80" "d0:", /* surrogate */
        "0:0:l1:s1:\xf4\x90\x80\x80" "d0:", /* above U+10FFFF */
        "0:0:l1:b2:0fd0:",           /* bytes shorter than their count */
        "0:0:l1:b1:zzd0:",           /* not hex */
        "0:0:l1:f00d0:",             /* short float */
        "0:0:l1:i12d0:",             /* int without ';' */
        "0:0:l1:i;d0:",              /* int without digits */
        "0:0:l1:i--1;d0:",           /* two signs */
        "0:0:l0:d1:i1;N",            /* non-str key */
        "0:0:l1:Xd0:",               /* unknown tag */
        "x:0:l0:d0:",                /* bad fingerprint */
        "0:0:d0:l0:",                /* kwargs first */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(!decodes(bad[i], strlen(bad[i]), &err), "accepted case %zu", i);
        ck_assert_ptr_nonnull(err.type);
    }
    ck_assert(!DECODES("0:0:l1:i9223372036854775808;d0:"));
    ck_assert_str_eq(err.type, "OverflowError");
    ck_assert(!DECODES("0:0:l1:i-9223372036854775809;d0:"));
    ck_assert_str_eq(err.type, "OverflowError");
    /* a NUL inside is just a byte: "s" counts code points */
    ck_assert(DECODES("0:0:l1:s1:\0d0:"));
}
END_TEST

START_TEST(codec_caps_depth_items_size) {
    codec_error err;
    char blob[8192];
    /* depth bomb: nested lists far past the cap */
    size_t n = (size_t)snprintf(blob, sizeof blob, "0:0:l1:");
    for (int i = 0; i < 1000; i++) n += (size_t)snprintf(blob + n, sizeof blob - n, "l1:");
    ck_assert(!decodes(blob, n, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "nested too deeply"));
    /* item bomb: many Nones */
    n = (size_t)snprintf(blob, sizeof blob, "0:0:l2000:");
    memset(blob + n, 'N', 2000);
    n += 2000;
    n += (size_t)snprintf(blob + n, sizeof blob - n, "d0:");
    ck_assert(!decodes(blob, n, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "too many values"));
    /* size cap */
    memset(blob, 'N', sizeof blob);
    ck_assert(!decodes(blob, sizeof blob, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "too large"));
    /* random garbage never crashes, never leaks (run under the sanitizer) */
    unsigned seed = 1;
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(rand_r(&seed) % 64);
        const char alphabet[] = "0123456789:;lLdDsSbBiIfFNTX-\xc3\xa9\xff";
        n = (size_t)snprintf(blob, sizeof blob, "0:0:");
        for (size_t i = 0; i < len; i++) blob[n++] = alphabet[rand_r(&seed) % (sizeof alphabet - 1)];
        decodes(blob, n, &err);
    }
}
END_TEST

START_TEST(codec_encodes_results) {
    codec_limits big = {.max_depth = 8, .max_items = 1000, .max_bytes = 1 << 20, .what = "host call result"};
    codec_buf out = {0};
    codec_error err;
    airlock_value *d = airlock_value_new_dict();
    airlock_dict_set(d, "a\"b", airlock_value_new_str("x\n"));
    ck_assert(codec_encode_result(d, &big, &out, &err));
    ck_assert_str_eq(out.data, "J{\"a\\\"b\":\"x\\u000a\"}");
    airlock_value_free(d);
    airlock_value *l = airlock_value_new_list();
    airlock_list_append(l, airlock_value_new_bytes("\x01", 1));
    airlock_list_append(l, airlock_value_new_float(0.1));
    ck_assert(codec_encode_result(l, &big, &out, &err));
    ck_assert_str_eq(out.data, "M[{\"\\u0000\":\"b01\"},0.1]");
    /* ownership: a value cannot be adopted twice or into itself */
    airlock_value *inner = airlock_value_new_list();
    ck_assert_int_eq(airlock_list_append(l, inner), AIRLOCK_OK);
    ck_assert_int_eq(airlock_list_append(inner, l), AIRLOCK_MISUSE);
    ck_assert(!codec_encode_result(l, &big, &out, &err));
    airlock_value_free(l);
    /* a dict key that is a single NUL is reserved for markers */
    codec_call c;
    static const char nulkey[] = "0:0:l1:d1:s1:\0Nd0:";
    ck_assert(codec_decode_call((const uint8_t *)nulkey, sizeof nulkey - 1, &big, &c, &err));
    ck_assert(!codec_encode_result(airlock_value_item(c.args, 0), &big, &out, &err));
    ck_assert_ptr_nonnull(strstr(err.message, "reserved"));
    airlock_value *copy = airlock_value_copy(airlock_value_item(c.args, 0));
    ck_assert(!codec_encode_result(copy, &big, &out, &err)); /* copies keep the NUL */
    airlock_value_free(copy);
    codec_call_free(&c);
    codec_buf_free(&out);
}
END_TEST

/* A host function doing long work learns that its run must stop: the
 * deadline, or an interrupt sent meanwhile (or before the run). */
START_TEST(long_host_calls_learn_they_must_stop) {
    airlock_sandbox *sb = fn_sandbox();
    airlock_limits l = {.size = sizeof l, .timeout_seconds = 0.3};
    airlock_exec_options o = AIRLOCK_EXEC_OPTIONS_INIT;
    o.limits = &l;
    const char *code = "import t\nt.spin()";
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, code, strlen(code), &o), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_TIMEOUT);
    airlock_sandbox_interrupt(sb);
    ck_assert_int_eq(run(sb, code), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_INTERRUPT);
    ck_assert_ptr_null(airlock_call_should_stop(NULL) ? "" : NULL); /* outside a run: nothing to stop */
    airlock_sandbox_free(sb);
}
END_TEST

static Suite *plugins_suite(void) {
    Suite *s = suite_create("plugins");
    TCase *tc = tcase_create("plugins");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, scalars_round_trip);
    tcase_add_test(tc, containers_round_trip);
    tcase_add_test(tc, kwargs_reach_the_host);
    tcase_add_test(tc, results_built_by_the_host);
    tcase_add_test(tc, host_errors_are_catchable);
    tcase_add_test(tc, caps_and_types);
    tcase_add_test(tc, size_caps_configurable);
    tcase_add_test(tc, bridge_stays_closed);
    tcase_add_test(tc, registration_rules);
    tcase_add_test(tc, sessions_cannot_call_foreign_functions);
    tcase_add_test(tc, example_plugin_loads);
    tcase_add_test(tc, plugins_refused);
    tcase_add_test(tc, env_only_granted_names);
    tcase_add_test(tc, env_nothing_by_default);
    tcase_add_test(tc, deterministic_output_repeats);
    tcase_add_test(tc, fresh_sandboxes_do_not_replay_a_seed);
    tcase_add_test(tc, audit_records_allowed_and_denied);
    tcase_add_test(tc, codec_accepts_good_calls);
    tcase_add_test(tc, codec_refuses_hostile_calls);
    tcase_add_test(tc, codec_caps_depth_items_size);
    tcase_add_test(tc, codec_encodes_results);
    tcase_add_test(tc, long_host_calls_learn_they_must_stop);
    tcase_add_test(tc, older_minor_plugin_loads);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(plugins_suite)
