/*
 * store.c - where sessions live between execs: the interface, zstd, and
 * the embedded backend (one SQLite file in WAL mode, which several
 * `airlock serve` processes on one machine may share).
 *
 * Every image is stored under (tenant, name) with a version; a write names
 * the version it read and loses (STORE_CONFLICT) if another writer got
 * there first, so concurrent execs of one session never silently drop an
 * update. Rows live `ttl` seconds after their last write.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib_sqlite.h"
#include "lib_store.h"
#include "serve.h"

#define ZSTD_LEVEL 3

/* Debian 12's libzstd1, which tools/deps.sh installs with libzstd-dev */
DYNLIB_DEFINE(zstd_api, ZSTD_FUNCTIONS, "libzstd.so.1", "libzstd1")

store *store_open(const char *url, double ttl, char *err, size_t errsize) {
    if (!zstd_api_open(err, errsize)) return NULL;
    if (strncmp(url, "sqlite:", 7) == 0) return store_open_sqlite(url + 7, ttl, err, errsize);
    if (strncmp(url, "redis://", 8) == 0) return store_open_redis(url, ttl, err, errsize);
    snprintf(err, errsize, "unknown store '%s' (want sqlite:PATH or redis://HOST[:PORT][/DB])", url);
    return NULL;
}

void *store_compress(const void *data, size_t len, size_t *out_len) {
    size_t cap = ZSTD_compressBound(len);
    void *out = malloc(cap);
    if (!out) return NULL;
    size_t n = ZSTD_compress(out, cap, data, len, ZSTD_LEVEL);
    if (ZSTD_isError(n)) {
        free(out);
        return NULL;
    }
    *out_len = n;
    return out;
}

void *store_decompress(const void *data, size_t len, size_t max, size_t *out_len) {
    unsigned long long size = ZSTD_getFrameContentSize(data, len);
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > max || size == 0) return NULL;
    void *out = malloc((size_t)size);
    if (!out) return NULL;
    size_t n = ZSTD_decompress(out, (size_t)size, data, len);
    if (ZSTD_isError(n) || n != size) {
        free(out);
        return NULL;
    }
    *out_len = n;
    return out;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- SQLite ---------------------------------------------------------------------- */

typedef struct sqlite_store {
    store base;
    sqlite3 *db;
} sqlite_store;

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS airlock_sessions("
    "  tenant TEXT NOT NULL, name TEXT NOT NULL, version INTEGER NOT NULL,"
    "  data BLOB NOT NULL, expires REAL NOT NULL, PRIMARY KEY (tenant, name)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS airlock_sessions_expiry ON airlock_sessions(expires);";

static sqlite3 *db_of(store *s) { return ((sqlite_store *)s)->db; }

static int db_fail(store *s) {
    snprintf(s->err, sizeof s->err, "sqlite: %s", sqlite3_errmsg(db_of(s)));
    return STORE_ERROR;
}

/* Prepare sql and bind the text parameters given (NULL ends the list). */
static sqlite3_stmt *prepare(store *s, const char *sql, const char *tenant, const char *name) {
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db_of(s), sql, -1, &st, NULL) != SQLITE_OK) return NULL;
    if (tenant) sqlite3_bind_text(st, 1, tenant, -1, SQLITE_STATIC);
    if (name) sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    return st;
}

static int sq_get(store *s, const char *tenant, const char *name, void **data, size_t *len, uint64_t *version) {
    sqlite3_stmt *st = prepare(s, "SELECT data, version FROM airlock_sessions WHERE tenant=?1 AND name=?2 AND expires>?3",
                               tenant, name);
    if (!st) return db_fail(s);
    sqlite3_bind_double(st, 3, wall_now());
    int rc = sqlite3_step(st), result = STORE_MISSING;
    if (rc == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        *data = malloc(n ? n : 1);
        if (*data) {
            memcpy(*data, sqlite3_column_blob(st, 0), n);
            *len = n;
            *version = (uint64_t)sqlite3_column_int64(st, 1);
            result = STORE_OK;
        } else {
            snprintf(s->err, sizeof s->err, "out of memory");
            result = STORE_ERROR;
        }
    } else if (rc != SQLITE_DONE) {
        result = db_fail(s);
    }
    sqlite3_finalize(st);
    return result;
}

/* One integer from a query with (tenant, name) parameters; -1 on error. */
static int64_t query_int(store *s, const char *sql, const char *tenant, const char *name, double now) {
    sqlite3_stmt *st = prepare(s, sql, tenant, name);
    if (!st) return -1;
    sqlite3_bind_double(st, 3, now);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* Whether the tenant's other live sessions plus this one fit the quota. */
static int check_quota(store *s, const char *tenant, const char *name, size_t len, const store_quota *q,
                       double now) {
    if (!q || (!q->max_sessions && !q->max_bytes)) return STORE_OK;
    int64_t count = query_int(s, "SELECT count(*) FROM airlock_sessions WHERE tenant=?1 AND name<>?2 AND expires>?3",
                              tenant, name, now);
    int64_t bytes = query_int(s,
                              "SELECT coalesce(sum(length(data)),0) FROM airlock_sessions "
                              "WHERE tenant=?1 AND name<>?2 AND expires>?3",
                              tenant, name, now);
    if (count < 0 || bytes < 0) return db_fail(s);
    if (q->max_sessions && (uint64_t)count + 1 > q->max_sessions) return STORE_QUOTA;
    if (q->max_bytes && (uint64_t)bytes + len > q->max_bytes) return STORE_QUOTA;
    return STORE_OK;
}

static int write_row(store *s, const char *tenant, const char *name, const void *data, size_t len, uint64_t v,
                     double now) {
    sqlite3_stmt *st = prepare(s, "INSERT OR REPLACE INTO airlock_sessions VALUES (?1, ?2, ?3, ?4, ?5)", tenant, name);
    if (!st) return db_fail(s);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)v);
    sqlite3_bind_blob64(st, 4, data, len, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, now + s->ttl);
    int rc = sqlite3_step(st) == SQLITE_DONE ? STORE_OK : db_fail(s);
    sqlite3_finalize(st);
    return rc;
}

static int sq_put(store *s, const char *tenant, const char *name, const void *data, size_t len, uint64_t expect,
                  const store_quota *q, uint64_t *version) {
    double now = wall_now();
    if (sqlite3_exec(db_of(s), "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return db_fail(s);
    sqlite3_stmt *gc = prepare(s, "DELETE FROM airlock_sessions WHERE expires<=?1", NULL, NULL);
    if (gc) {
        sqlite3_bind_double(gc, 1, now);
        sqlite3_step(gc);
        sqlite3_finalize(gc);
    }
    int64_t cur = query_int(s,
                            "SELECT coalesce((SELECT version FROM airlock_sessions WHERE tenant=?1 AND name=?2 "
                            "AND expires>?3), 0)",
                            tenant, name, now);
    int rc = cur < 0 ? db_fail(s) : (uint64_t)cur != expect ? STORE_CONFLICT : check_quota(s, tenant, name, len, q, now);
    if (rc == STORE_OK) rc = write_row(s, tenant, name, data, len, (uint64_t)cur + 1, now);
    if (rc == STORE_OK && sqlite3_exec(db_of(s), "COMMIT", NULL, NULL, NULL) != SQLITE_OK) rc = db_fail(s);
    if (rc != STORE_OK) sqlite3_exec(db_of(s), "ROLLBACK", NULL, NULL, NULL);
    else *version = (uint64_t)cur + 1;
    return rc;
}

static int sq_del(store *s, const char *tenant, const char *name) {
    sqlite3_stmt *st = prepare(s, "DELETE FROM airlock_sessions WHERE tenant=?1 AND name=?2 AND expires>?3", tenant, name);
    if (!st) return db_fail(s);
    sqlite3_bind_double(st, 3, wall_now());
    int rc = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(db_of(s)) ? STORE_OK : STORE_MISSING) : db_fail(s);
    sqlite3_finalize(st);
    return rc;
}

static int64_t sq_count(store *s) {
    return query_int(s, "SELECT count(*) FROM airlock_sessions WHERE expires>?3", NULL, NULL, wall_now());
}

static void sq_close(store *s) {
    sqlite3_close(db_of(s));
    free(s);
}

static const store_ops sqlite_ops = {sq_get, sq_put, sq_del, sq_count, sq_close};

store *store_open_sqlite(const char *path, double ttl, char *err, size_t errsize) {
    if (!sqlite_api_open(err, errsize)) return NULL;
    sqlite_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    s->base.ops = &sqlite_ops;
    s->base.ttl = ttl;
    int rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc == SQLITE_OK) sqlite3_busy_timeout(s->db, 5000);
    if (rc == SQLITE_OK) rc = sqlite3_exec(s->db, schema, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errsize, "cannot open the session store %s: %s", path,
                 s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        sqlite3_close(s->db);
        free(s);
        return NULL;
    }
    return &s->base;
}
