/*
 * test_growth.c - an embedder built against an older airlock.h runs
 * against this library.
 *
 * The structs below are copies of the versioned structs as the first
 * airlock.h that had them laid them out (airlock_stats without
 * gc_collections). The library must read and write only the bytes such a
 * program has, and refuse, not misread, a struct from a newer header whose
 * unknown fields are set.
 */
#include <stdio.h>
#include <string.h>

#include "testutil.h"

/* airlock_stats, first version. */
typedef struct old_stats {
    uint32_t size;
    uint64_t fuel_used;
    double wall_ms;
    uint64_t memory_bytes;
    uint64_t stdout_bytes;
    uint64_t stderr_bytes;
    int stdout_truncated;
    int stderr_truncated;
    int hard_stop;
} old_stats;

/* airlock_limits of a future header: one more field. */
typedef struct newer_limits {
    airlock_limits known;
    uint64_t future_field;
} newer_limits;

START_TEST(old_stats_struct_is_filled_and_nothing_beyond) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "print(sum(range(100)))", "4950\n");
    struct {
        old_stats st;
        unsigned char canary[64];
    } buf;
    memset(&buf, 0xAB, sizeof buf);
    buf.st.size = sizeof buf.st;
    ck_assert_int_eq(airlock_sandbox_stats(sb, (airlock_stats *)&buf.st), AIRLOCK_OK);
    ck_assert_uint_eq(buf.st.size, sizeof(old_stats));
    ck_assert_uint_gt(buf.st.fuel_used, 0);
    ck_assert_uint_eq(buf.st.stdout_bytes, 5);
    ck_assert_int_eq(buf.st.hard_stop, 0);
    for (size_t i = 0; i < sizeof buf.canary; i++) ck_assert_uint_eq(buf.canary[i], 0xAB);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(current_stats_have_the_new_field) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "import gc\ngc.collect()\ngc.collect()", "");
    airlock_stats st = {.size = sizeof st};
    ck_assert_int_eq(airlock_sandbox_stats(sb, &st), AIRLOCK_OK);
    ck_assert_uint_ge(st.gc_collections, 2);
    airlock_stats bad = {.size = 8};
    ck_assert_int_eq(airlock_sandbox_stats(sb, &bad), AIRLOCK_MISUSE);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(limits_from_other_headers) {
    airlock_sandbox *sb = new_sandbox();
    /* a newer header's struct with its new field unset: accepted */
    newer_limits nl = {.known = {.size = sizeof nl, .fuel = 1000000}};
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, &nl.known), AIRLOCK_OK);
    ck_assert_int_eq(run(sb, "while True: pass"), AIRLOCK_LIMIT);
    ck_assert_int_eq(airlock_sandbox_limit_hit(sb), AIRLOCK_LIMIT_FUEL);
    /* ... and with it set: refused, with a message saying why */
    nl.future_field = 1;
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, &nl.known), AIRLOCK_MISUSE);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "sizeof(airlock_limits)"));
    /* a size of zero (not set) is refused, not read as anything */
    airlock_limits unset = {.fuel = 5};
    ck_assert_int_eq(airlock_sandbox_set_limits(sb, &unset), AIRLOCK_MISUSE);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(exec_options_of_an_older_size) {
    airlock_sandbox *sb = new_sandbox();
    /* only size and filename: a program from before the later fields */
    airlock_exec_options o = AIRLOCK_EXEC_OPTIONS_INIT;
    o.size = offsetof(airlock_exec_options, limits);
    o.filename = "job.py";
    o.limits = (const airlock_limits *)0x1; /* beyond its size: never read */
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, "1/0", 3, &o), AIRLOCK_ERROR);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_error_traceback(sb), "File \"job.py\", line 1"));
    o.size = 2;
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, "1", 1, &o), AIRLOCK_MISUSE);
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(versions_of_the_loaded_library) {
    ck_assert_str_eq(airlock_version(), AIRLOCK_VERSION);
    ck_assert_int_eq(airlock_version_number(), AIRLOCK_VERSION_NUMBER);
}
END_TEST

static Suite *growth_suite(void) {
    Suite *s = suite_create("growth");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, old_stats_struct_is_filled_and_nothing_beyond);
    tcase_add_test(tc, current_stats_have_the_new_field);
    tcase_add_test(tc, limits_from_other_headers);
    tcase_add_test(tc, exec_options_of_an_older_size);
    tcase_add_test(tc, versions_of_the_loaded_library);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(growth_suite)
