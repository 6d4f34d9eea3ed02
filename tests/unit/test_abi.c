/*
 * test_abi.c - the guest's host interface under stress: the longjmp
 * emulation (every Python exception), and garbage collection while Python
 * runs, with every object checked after the collections.
 */
#include <stdio.h>

#include "testutil.h"

START_TEST(exceptions_unwind_through_nested_calls) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb,
                  "def deep(n):\n"
                  "    if n == 0: raise KeyError('bottom')\n"
                  "    try:\n"
                  "        return deep(n - 1)\n"
                  "    finally:\n"
                  "        trail.append(n)\n"
                  "trail = []\n"
                  "try:\n"
                  "    deep(50)\n"
                  "except KeyError as e:\n"
                  "    print(e, len(trail), trail[0], trail[-1])",
                  "bottom 50 1 50\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(exceptions_inside_generators_and_finally) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb,
                  "def gen():\n"
                  "    try:\n"
                  "        yield 1\n"
                  "        raise ValueError('in gen')\n"
                  "    finally:\n"
                  "        print('gen cleanup')\n"
                  "g = gen()\n"
                  "print(next(g))\n"
                  "try:\n"
                  "    next(g)\n"
                  "except ValueError as e:\n"
                  "    print('caught', e)\n"
                  "def thrower():\n"
                  "    try:\n"
                  "        yield 1\n"
                  "    except ZeroDivisionError:\n"
                  "        yield 'handled'\n"
                  "t = thrower(); next(t)\n"
                  "print(t.throw(ZeroDivisionError))\n"
                  "n = 0\n"
                  "for i in range(20000):\n"
                  "    try:\n"
                  "        raise IndexError(i)\n"
                  "    except IndexError:\n"
                  "        n += 1\n"
                  "print(n)",
                  "1\ngen cleanup\ncaught in gen\nhandled\n20000\n");
    airlock_sandbox_free(sb);
}
END_TEST

/* Objects of every kind are built, partly dropped, and checked again after
 * forced collections; a collector that frees a live object shows up as a
 * wrong value, a crash or a trap. */
static const char *gc_stress =
    "import gc\n"
    "gc.threshold(%d)\n"
    "def make(i):\n"
    "    kind = i %% 6\n"
    "    if kind == 0: return [i, str(i), (i, i + 1)]\n"
    "    if kind == 1: return {'k': i, 's': 'v' * (i %% 50)}\n"
    "    if kind == 2:\n"
    "        def clo(): return i * 3\n"
    "        return clo\n"
    "    if kind == 3: return (x * 2 for x in range(i %% 5 + 1))\n"
    "    if kind == 4: return ValueError('e%%d' %% i)\n"
    "    return (1 << (64 + i %% 200)) + i\n"
    "def check(i, o):\n"
    "    kind = i %% 6\n"
    "    if kind == 0: return o == [i, str(i), (i, i + 1)]\n"
    "    if kind == 1: return o['k'] == i and o['s'] == 'v' * (i %% 50)\n"
    "    if kind == 2: return o() == i * 3\n"
    "    if kind == 3: return o is not None\n"
    "    if kind == 4: return o.args[0] == 'e%%d' %% i\n"
    "    return o == (1 << (64 + i %% 200)) + i\n"
    "keep = {}\n"
    "bad = 0\n"
    "for i in range(%d):\n"
    "    o = make(i)\n"
    "    if i %% 7 == 0: keep[i] = o\n"
    "    if i %% 997 == 0:\n"
    "        gc.collect()\n"
    "        for j, kept in keep.items():\n"
    "            if not check(j, kept): bad += 1\n"
    "        if len(keep) > 300: keep = {}\n"
    "print('bad', bad, 'collections ok')\n";

static void run_gc_stress(int threshold, int n) {
    airlock_sandbox *sb = new_sandbox();
    char code[4096];
    snprintf(code, sizeof code, gc_stress, threshold, n);
    ck_run_prints(sb, code, "bad 0 collections ok\n");
    airlock_sandbox_free(sb);
}

START_TEST(gc_keeps_live_objects_under_pressure) { run_gc_stress(-1, 1000000); }
END_TEST

/* A collection every 256 bytes allocated: nearly every allocation. */
START_TEST(gc_at_almost_every_allocation) { run_gc_stress(256, 20000); }
END_TEST

static Suite *abi_suite(void) {
    Suite *s = suite_create("abi");
    TCase *tc = tcase_create("abi");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, exceptions_unwind_through_nested_calls);
    tcase_add_test(tc, exceptions_inside_generators_and_finally);
    tcase_add_test(tc, gc_keeps_live_objects_under_pressure);
    tcase_add_test(tc, gc_at_almost_every_allocation);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(abi_suite)
