/*
 * sqlite_host.c - a host program that uses SQLite itself (linked with
 * -lsqlite3) while its sandbox uses an SQLite grant: the two must not see
 * each other. tests/install/run.sh builds it against the staged tree.
 *
 *   sqlite_host DIR     (DIR: an empty directory for the two databases)
 *
 * What it proves, one line of output each:
 * - after the guest has used airlock's SQLite, the host may still
 *   configure its own (sqlite3_config is refused once a copy initialised),
 *   here with a counting allocator of its own;
 * - the host's database and the sandbox's granted one work side by side,
 *   the host writing from a second thread while the guest queries;
 * - the guest's SQLite memory never goes through the host's allocator,
 *   and a guest statement stopped by its time limit leaves the host's
 *   SQLite working.
 */
#include <airlock.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the host's own allocator for its SQLite: counts the bytes ---------------- */

static atomic_size_t host_bytes_allocated;

static void *count_malloc(int n) {
    size_t *p = malloc(sizeof(size_t) * 2 + (size_t)n);
    if (!p) return NULL;
    p[0] = (size_t)n;
    atomic_fetch_add(&host_bytes_allocated, (size_t)n);
    return p + 2;
}
static void count_free(void *q) {
    if (q) free((size_t *)q - 2);
}
static void *count_realloc(void *q, int n) {
    size_t *p = realloc((size_t *)q - 2, sizeof(size_t) * 2 + (size_t)n);
    if (!p) return NULL;
    if ((size_t)n > p[0]) atomic_fetch_add(&host_bytes_allocated, (size_t)n - p[0]);
    p[0] = (size_t)n;
    return p + 2;
}
static int count_size(void *q) { return (int)((size_t *)q - 2)[0]; }
static int count_roundup(int n) { return (n + 7) & ~7; }
static int count_init(void *u) { return (void)u, SQLITE_OK; }
static void count_shutdown(void *u) { (void)u; }
static const sqlite3_mem_methods counting = {count_malloc, count_free,    count_realloc,  count_size,
                                             count_roundup, count_init, count_shutdown, NULL};

/* ---- the host's own database, written from a second thread ----------------------- */

static char host_db[512];

static void *host_writer(void *arg) {
    (void)arg;
    sqlite3 *db;
    if (sqlite3_open(host_db, &db) != SQLITE_OK) return "open";
    const char *err = NULL;
    for (int i = 0; i < 200 && !err; i++)
        if (sqlite3_exec(db, "insert into log(n) values (1)", NULL, NULL, NULL) != SQLITE_OK) err = "insert";
    sqlite3_close(db);
    return (void *)err;
}

static long host_count(void) {
    sqlite3 *db;
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_open(host_db, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "select count(*) from log", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = (long)sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

static int run(airlock_sandbox *sb, const char *code) {
    int rc = airlock_sandbox_exec(sb, code, strlen(code));
    printf("%s", airlock_sandbox_stdout(sb, NULL));
    if (rc == AIRLOCK_LIMIT) printf("stopped by the %s limit\n", airlock_limit_name(airlock_sandbox_limit_hit(sb)));
    else if (rc) printf("rc=%d %s: %s\n", rc, airlock_sandbox_error_type(sb), airlock_sandbox_error_message(sb));
    return rc;
}

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    char guest_db[512], code[2048];
    snprintf(host_db, sizeof host_db, "%s/host.db", argv[1]);
    snprintf(guest_db, sizeof guest_db, "%s/guest.db", argv[1]);

    airlock_runtime *rt;
    airlock_sandbox *sb;
    airlock_limits lim = {.size = sizeof lim, .timeout_seconds = 20, .memory_bytes = 64u << 20};
    if (airlock_runtime_new(&rt) || airlock_runtime_set_limits(rt, &lim) ||
        airlock_runtime_allow_sqlite(rt, guest_db, 1) || airlock_sandbox_new(rt, &sb)) {
        fprintf(stderr, "setup failed: %s\n", airlock_runtime_errmsg(rt));
        return 1;
    }
    snprintf(code, sizeof code,
             "import sqlite3\n"
             "c = sqlite3.connect('%s')\n"
             "c.execute('create table t(x)')\n"
             "c.executemany('insert into t values (?)', [(i,) for i in range(1000)])\n"
             "c.commit()\n"
             "print('guest rows', c.execute('select count(*), sum(x) from t').fetchone())\n",
             guest_db);
    run(sb, code);
    /* airlock's SQLite is initialised by now: the host's is not */
    printf("host config after the guest's queries: %s\n",
           sqlite3_config(SQLITE_CONFIG_MALLOC, &counting) == SQLITE_OK ? "ok" : "refused");
    sqlite3 *db;
    if (sqlite3_open(host_db, &db) || sqlite3_exec(db, "create table log(n)", NULL, NULL, NULL)) return 1;
    sqlite3_close(db);

    /* both at once: the host writes its database while the guest writes its own */
    snprintf(code, sizeof code,
             "import sqlite3\n"
             "c = sqlite3.connect('%s')\n"
             "for i in range(50):\n"
             "    c.execute('insert into t values (?)', (i,))\n"
             "    c.commit()\n"
             "print('guest rows', c.execute('select count(*) from t').fetchone()[0])\n",
             guest_db);
    pthread_t writer;
    pthread_create(&writer, NULL, host_writer, NULL);
    run(sb, code);
    void *werr;
    pthread_join(writer, &werr);
    printf("host rows %ld%s, through the host's allocator: %s\n", host_count(), werr ? " (writer failed)" : "",
           atomic_load(&host_bytes_allocated) > 0 ? "yes" : "no");

    /* 40 MB of guest SQLite work: none of it through the host's allocator */
    size_t before = atomic_load(&host_bytes_allocated);
    snprintf(code, sizeof code,
             "import sqlite3\n"
             "c = sqlite3.connect('%s')\n"
             "print('guest bytes', sum(r[0] for r in c.execute('select length(randomblob(2000000)) from t limit 20')))\n",
             guest_db);
    run(sb, code);
    printf("host allocator saw guest work: %s\n",
           atomic_load(&host_bytes_allocated) - before > (1u << 20) ? "yes" : "no");

    /* a statement with no loop, stopped by the deadline inside SQLite */
    lim.timeout_seconds = 1;
    airlock_runtime_set_limits(rt, &lim);
    airlock_sandbox_free(sb);
    airlock_sandbox_new(rt, &sb);
    snprintf(code, sizeof code,
             "import sqlite3\n"
             "c = sqlite3.connect('%s')\n"
             "c.execute('select ' + ', '.join(['length(upper(randomblob(1000000)))'] * 999)).fetchone()\n",
             guest_db);
    run(sb, code);
    printf("host rows after %ld\n", host_count());
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
    return 0;
}
