/*
 * test_rollback.c - an execution rolled back (a hard stop here: the guest
 * swallows KeyboardInterrupt until the timeout forces it) closes every host
 * resource it opened: files and directory listings, SQLite connections,
 * cursors and the write transaction it began, and a plugin's state (its
 * rollback hook). What earlier executions opened stays open and usable.
 */
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "small_stack.h"
#include "testutil.h"

#ifndef TEST_BUILD_DIR
#define TEST_BUILD_DIR "build"
#endif

static char dir[256];

/* A guest tail that makes the execution end by force. */
#define HARD_STOP "\nwhile True:\n    try:\n        while True: pass\n    except KeyboardInterrupt:\n        pass\n"

static int open_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) n += e->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/airlock-rollback-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char p[400];
    snprintf(p, sizeof p, "%s/data", dir);
    mkdir(p, 0700);
    shared_runtime(); /* $AIRLOCK_TEST_GUEST's guest */
    ck_assert_int_eq(airlock_runtime_mount(test_rt, p, "/data", AIRLOCK_MOUNT_WRITE), AIRLOCK_OK);
    snprintf(p, sizeof p, "%s/db.sqlite", dir);
    ck_assert_int_eq(airlock_runtime_allow_sqlite(test_rt, p, 1), AIRLOCK_OK);
    int rc = airlock_runtime_load_plugin(test_rt, TEST_BUILD_DIR "/tests/plugins/rollback_probe.so", NULL);
    ck_assert_msg(rc == AIRLOCK_OK, "%s", airlock_runtime_errmsg(test_rt));
    airlock_limits lim = {.size = sizeof(airlock_limits), .timeout_seconds = 2};
    ck_assert_int_eq(airlock_runtime_set_limits(test_rt, &lim), AIRLOCK_OK);
}

static void teardown(void) {
    airlock_runtime_free(test_rt);
    test_rt = NULL;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void hard_stop(airlock_sandbox *sb, const char *code) {
    char src[4096];
    snprintf(src, sizeof src, "%s%s", code, HARD_STOP);
    int rc = run(sb, src);
    ck_assert_msg(rc == AIRLOCK_LIMIT, "rc=%d %s", rc, airlock_sandbox_errmsg(sb));
    airlock_stats st = {.size = sizeof(airlock_stats)};
    airlock_sandbox_stats(sb, &st);
    ck_assert_msg(st.hard_stop, "the run was not stopped by force");
}

/* Exit status of python3 trying to take the database's write lock at once
 * from another process: 0 if it got it. */
static int other_process_writes(void) {
    char cmd[600];
    snprintf(cmd, sizeof cmd,
             "python3 -c \"import sqlite3; c = sqlite3.connect('%s/db.sqlite', timeout=0); "
             "c.execute('BEGIN IMMEDIATE'); c.rollback()\" 2>/dev/null", dir);
    return system(cmd);
}

START_TEST(files_and_listings_opened_by_the_stopped_run_are_closed) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "import os\nfor i in range(3):\n    open('/data/f%d' % i, 'w').write('x' * i)\n"
                      "kept = open('/data/f2')\nos.chdir('/data')\n", "");
    int before = open_fds();
    hard_stop(sb, "import os\nfiles = [open('/data/f%d' % (i % 3)) for i in range(40)]\n"
                  "listdir = getattr(os, 'scandir', None) or os.ilistdir\n" /* CPython's, MicroPython's */
                  "lists = [listdir('/data') for i in range(5)]\nfor l in lists: next(l)\n"
                  "kept.close()\nos.chdir('/')\n");
    ck_assert_int_eq(open_fds(), before);
    /* the earlier run's file is open again, at its offset, and the cwd is back */
    ck_run_prints(sb, "print(kept.read(), os.getcwd())\n"
                      "more = [open('/data/f1') for i in range(40)]\nprint(len(more))\n",
                  "xx /data\n40\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(sqlite_connections_and_transactions_of_the_stopped_run_are_closed) {
    airlock_sandbox *sb = new_sandbox();
    char db[1024];
    snprintf(db, sizeof db,
             "import sqlite3\nkept = sqlite3.connect('%s/db.sqlite')\n"
             "kept.execute('CREATE TABLE t (x)')\nkept.commit()\ncur = kept.execute('SELECT 1')\n",
             dir);
    ck_run_prints(sb, db, "");
    ck_assert_int_eq(other_process_writes(), 0);
    char stop[1024];
    snprintf(stop, sizeof stop,
             "conns = [sqlite3.connect('%s/db.sqlite') for i in range(7)]\n"
             "conns[0].execute('INSERT INTO t VALUES (1)')\n"
             "curs = [kept.execute('SELECT x FROM t') for i in range(20)]\n",
             dir);
    hard_stop(sb, stop);
    /* no lock held, nothing written, and room for 7 more connections */
    ck_assert_int_eq(other_process_writes(), 0);
    snprintf(db, sizeof db,
             "print(kept.execute('SELECT count(*) FROM t').fetchone()[0], cur.fetchone())\n"
             "more = [sqlite3.connect('%s/db.sqlite') for i in range(7)]\nprint(len(more))\n"
             "for c in more: c.close()\n",
             dir);
    ck_run_prints(sb, db, "0 (1,)\n7\n");
    /* a write transaction the stopped run began on an older connection is
     * rolled back; the connection stays */
    hard_stop(sb, "kept.execute('INSERT INTO t VALUES (2)')\n");
    ck_assert_int_eq(other_process_writes(), 0);
    ck_run_prints(sb, "print(kept.execute('SELECT count(*) FROM t').fetchone()[0])\n", "0\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(a_plugin_releases_the_stopped_runs_state) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "import probe\nfor i in range(3): probe.make()\nprint(probe.live())\n", "3\n");
    hard_stop(sb, "for i in range(50): probe.make()\n");
    ck_run_prints(sb, "print(probe.live())\n", "3\n");
    /* a sandbox fresh from the snapshot is rolled back by replacement: the
     * hook runs all the same */
    airlock_sandbox *fresh = new_sandbox();
    hard_stop(fresh, "import probe\nfor i in range(20): probe.make()\n");
    ck_run_prints(sb, "print(probe.live())\n", "3\n");
    airlock_sandbox_free(fresh);
    airlock_sandbox_free(sb);
}
END_TEST

/* A trap is rolled back as a hard stop is: C-level recursion that runs out
 * of native stack ends in the stack limit, and the session is as it was
 * before that run. */
START_TEST(a_stack_trap_is_rolled_back) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "x = 1\nimport sys\ngetattr(sys, 'setrecursionlimit', abs)(10 ** 6)\n", "");
    int rc = run_on_small_stack(sb, "y = 2\nl = []\nfor i in range(10 ** 5): l = [l]\nrepr(l)\n");
    ck_assert_msg(rc == AIRLOCK_LIMIT && airlock_sandbox_limit_hit(sb) == AIRLOCK_LIMIT_STACK, "rc=%d %s", rc,
                  airlock_sandbox_errmsg(sb));
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "as it was before"));
    ck_run_prints(sb, "print(x, 'y' in globals())", "1 False\n");
    airlock_sandbox_free(sb);
}
END_TEST

/* AIRLOCK_EXEC_NO_ROLLBACK keeps no undo log: a success is as without it,
 * a hard stop leaves a fresh sandbox (what earlier runs made is gone) and a
 * message that claims nothing about the state, and unknown flags are
 * refused. */
START_TEST(no_rollback_leaves_a_fresh_sandbox) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "x = 1\n", "");
    airlock_exec_options o = AIRLOCK_EXEC_OPTIONS_INIT;
    o.flags = AIRLOCK_EXEC_NO_ROLLBACK;
    const char *ok = "y = 2\n";
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, ok, strlen(ok), &o), AIRLOCK_OK);
    ck_run_prints(sb, "print(x, y)", "1 2\n");
    char src[256];
    snprintf(src, sizeof src, "z = 3%s", HARD_STOP);
    int rc = airlock_sandbox_exec_ex(sb, src, strlen(src), &o);
    ck_assert_msg(rc == AIRLOCK_LIMIT, "rc=%d %s", rc, airlock_sandbox_errmsg(sb));
    ck_assert_str_eq(airlock_sandbox_errmsg(sb), "the timeout limit stopped the run");
    ck_run_prints(sb, "print('x' in globals(), 'z' in globals())", "False False\n");
    o.flags = 2;
    ck_assert_int_eq(airlock_sandbox_exec_ex(sb, ok, strlen(ok), &o), AIRLOCK_MISUSE);
    airlock_sandbox_free(sb);
}
END_TEST

static Suite *rollback_suite(void) {
    Suite *s = suite_create("rollback");
    TCase *tc = tcase_create("rollback");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, files_and_listings_opened_by_the_stopped_run_are_closed);
    tcase_add_test(tc, sqlite_connections_and_transactions_of_the_stopped_run_are_closed);
    tcase_add_test(tc, a_plugin_releases_the_stopped_runs_state);
    tcase_add_test(tc, a_stack_trap_is_rolled_back);
    tcase_add_test(tc, no_rollback_leaves_a_fresh_sandbox);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(rollback_suite)
