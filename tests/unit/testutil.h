/*
 * testutil.h - small helpers shared by the unit tests (Check framework).
 */
#ifndef AIRLOCK_TESTUTIL_H
#define AIRLOCK_TESTUTIL_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "airlock.h"

/* One runtime for a whole test binary: its snapshot is built once. Its
 * guest is $AIRLOCK_TEST_GUEST's (the default guest when unset), so that a
 * suite can run against either guest. */
static airlock_runtime *test_rt;

static inline airlock_runtime *shared_runtime(void) {
    if (test_rt) return test_rt;
    ck_assert_int_eq(airlock_runtime_new(&test_rt), AIRLOCK_OK);
    const char *guest = getenv("AIRLOCK_TEST_GUEST");
    if (guest && *guest)
        ck_assert_msg(airlock_runtime_set_guest(test_rt, guest) == AIRLOCK_OK, "%s", airlock_runtime_errmsg(test_rt));
    return test_rt;
}

static inline airlock_sandbox *new_sandbox(void) {
    airlock_sandbox *sb = NULL;
    int rc = airlock_sandbox_new(shared_runtime(), &sb);
    ck_assert_msg(rc == AIRLOCK_OK, "sandbox_new: %s", airlock_sandbox_errmsg(sb));
    return sb;
}

static inline int run(airlock_sandbox *sb, const char *code) { return airlock_sandbox_exec(sb, code, strlen(code)); }

/* Run code and require success and exactly this stdout. */
#define ck_run_prints(sb, code, expected)                                                            \
    do {                                                                                             \
        int rc_ = run(sb, code);                                                                     \
        ck_assert_msg(rc_ == AIRLOCK_OK, "rc=%d %s %s", rc_,                                         \
                      airlock_sandbox_error_traceback(sb) ? airlock_sandbox_error_traceback(sb) : "", airlock_sandbox_errmsg(sb)); \
        ck_assert_str_eq(airlock_sandbox_stdout(sb, NULL), expected);                                        \
    } while (0)

/* Run code and require an uncaught exception of this type. */
#define ck_run_raises(sb, code, type)                                        \
    do {                                                                     \
        int rc_ = run(sb, code);                                             \
        ck_assert_int_eq(rc_, AIRLOCK_ERROR);                                \
        ck_assert_ptr_nonnull(airlock_sandbox_error_type(sb));                       \
        ck_assert_str_eq(airlock_sandbox_error_type(sb), type);                      \
    } while (0)

/* main() of a test binary made of one suite. */
#define TEST_MAIN(suite_fn)                                  \
    int main(void) {                                         \
        SRunner *sr = srunner_create(suite_fn());            \
        srunner_run_all(sr, CK_NORMAL);                      \
        int failed = srunner_ntests_failed(sr);              \
        srunner_free(sr);                                    \
        airlock_runtime_free(test_rt);                       \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;         \
    }

#endif
