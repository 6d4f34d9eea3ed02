/*
 * sqlite.c - the built-in plugin behind --allow-sqlite: `import sqlite3`
 * in the guest opens exactly the granted database files, through Debian's
 * libsqlite3 on the host.
 *
 * What keeps it a grant of one file and no more:
 * - connect() matches the path against the grants as written, opens the
 *   canonical path fixed at grant time, with SQLITE_OPEN_NOFOLLOW (a symlink
 *   swapped in for the file is refused) and SQLITE_OPEN_READONLY unless the
 *   grant says rw; the directory is re-checked so that one swapped for a
 *   symlink since the grant is refused too;
 * - an authorizer refuses ATTACH/DETACH (another file), load_extension
 *   (native code), objects in the temp schema (storage outside the grant),
 *   temporary files are kept in capped memory (sqlite_vfs.c), and every
 *   PRAGMA but a list of read-only ones; SQLITE_LIMIT_ATTACHED 0 also stops
 *   VACUUM INTO, which writes a new file through an internal ATTACH;
 * - extension loading is also off at the connection level, the schema is
 *   untrusted (SQLITE_DBCONFIG_TRUSTED_SCHEMA 0, DEFENSIVE 1), and the
 *   SQLITE_LIMIT_* are tightened;
 * - a progress handler stops a query at the sandbox's deadline or
 *   interrupt (a host call blocks the sandbox's own meter), and the
 *   built-in functions whose cost grows faster than their arguments are
 *   replaced by ours (sqlite_func.c), so no single call outlives it;
 * - connections belong to the sandbox that opened them, at most
 *   SQ_MAX_CONNS, and are closed when it is freed.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "plugins/host.h"
#include "plugins/sqlite_int.h"
#include "plugins/runtime.h"

/* ---- grants ------------------------------------------------------------------- */

static void grant_free(sq_grant *g) {
    free(g->given);
    free(g->abs);
    free(g->real);
    free(g->dir_real);
}

/* path made absolute against the host's working directory (no resolving). */
static char *absolute(const char *path) {
    if (path[0] == '/') return strdup(path);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd)) return NULL;
    char *out = malloc(strlen(cwd) + strlen(path) + 2);
    if (out) sprintf(out, "%s/%s", cwd, path);
    return out;
}

/* Split abs into a canonical directory and a file name; 0 or an errno. */
static int canonical(const char *abs, char **dir_real, char **real) {
    const char *slash = strrchr(abs, '/');
    const char *name = slash + 1;
    if (!*name || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) return EISDIR;
    char *dir = strndup(abs, (size_t)(slash - abs) + 1); /* keeps "/" for the root */
    if (!dir) return ENOMEM;
    char *r = realpath(dir, NULL);
    int err = r ? 0 : errno;
    free(dir);
    if (err) return err;
    *real = malloc(strlen(r) + strlen(name) + 2);
    if (!*real) {
        free(r);
        return ENOMEM;
    }
    sprintf(*real, "%s%s%s", r, strcmp(r, "/") == 0 ? "" : "/", name);
    *dir_real = r;
    return 0;
}

static int fill_grant(airlock_runtime *rt, sq_grant *g, const char *path, int writable) {
    g->writable = writable != 0;
    g->given = strdup(path);
    g->abs = absolute(path);
    if (!g->given || !g->abs) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    int err = canonical(g->abs, &g->dir_real, &g->real);
    if (err == EISDIR)
        return runtime_fail(rt, AIRLOCK_MISUSE, "SQLite grant %.300s: name a database file, not a directory", path);
    if (err)
        return runtime_fail(rt, AIRLOCK_MISUSE, "SQLite grant %.300s: its directory cannot be used: %s", path,
                            strerror(err));
    return AIRLOCK_OK;
}

static host_sqlite *state_new(void) {
    host_sqlite *s = calloc(1, sizeof *s);
    if (s) pthread_mutex_init(&s->lock, NULL);
    return s;
}

/* ---- connections ----------------------------------------------------------------- */

/* Index of connection id in s->conns, or -1 (lock held). */
static ssize_t conn_index(const host_sqlite *s, int64_t id) {
    for (size_t i = 0; i < s->nconns; i++)
        if (s->conns[i]->id == id) return (ssize_t)i;
    return -1;
}

static void conn_close(sq_conn *c) {
    sq_stmts_free(c);
    SQ.close_v2(c->db); /* rolls back what was not committed; no statement is left */
    SQ.close_v2(c->helper);
    sq_tempvfs_free(c->temp);
    sq_mem_forget(c);
    sq_budget_release(c->budget);
    free(c);
}

/* The budget of vm's connections (a new one for its first), one more hold;
 * NULL when out of memory. */
static sq_budget *budget_of(host_sqlite *s, const airlock_vm *vm) {
    pthread_mutex_lock(&s->lock);
    sq_budget *b = NULL;
    for (size_t i = 0; i < s->nconns && !b; i++)
        if (s->conns[i]->vm == vm) b = s->conns[i]->budget;
    if (b) sq_budget_hold(b);
    else b = sq_budget_new();
    pthread_mutex_unlock(&s->lock);
    return b;
}

/* Remove and return connection id if vm owns it (NULL otherwise). */
static sq_conn *conn_take(host_sqlite *s, int64_t id, const airlock_vm *vm) {
    pthread_mutex_lock(&s->lock);
    ssize_t i = conn_index(s, id);
    sq_conn *c = i >= 0 && s->conns[i]->vm == vm ? s->conns[i] : NULL;
    if (c) s->conns[i] = s->conns[--s->nconns];
    pthread_mutex_unlock(&s->lock);
    return c;
}

sq_conn *sq_conn_of(airlock_call *call, int64_t cid) {
    host_sqlite *s = airlock_call_userdata(call);
    const airlock_vm *vm = host_calling_vm();
    pthread_mutex_lock(&s->lock);
    ssize_t i = conn_index(s, cid);
    /* A connection is only ever used by its own sandbox, one thread at a
     * time, so it is safe to use after the table lock is released. */
    sq_conn *c = i >= 0 && s->conns[i]->vm == vm ? s->conns[i] : NULL;
    pthread_mutex_unlock(&s->lock);
    if (!c) airlock_call_raise(call, "sqlite3.ProgrammingError", "Cannot operate on a closed database.");
    else sq_mem_enter(c); /* its SQLite memory is the sandbox's from here */
    return c;
}

static size_t conns_of(const host_sqlite *s, const airlock_vm *vm) {
    size_t n = 0;
    for (size_t i = 0; i < s->nconns; i++) n += s->conns[i]->vm == vm;
    return n;
}

static void sqlite_vm_free(void *state, const airlock_vm *vm) {
    host_sqlite *s = state;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nconns;) {
        if (s->conns[i]->vm == vm) {
            conn_close(s->conns[i]);
            s->conns[i] = s->conns[--s->nconns];
        } else {
            i++;
        }
    }
    pthread_mutex_unlock(&s->lock);
}

static void sqlite_exec_begin(void *state, const airlock_vm *vm) {
    host_sqlite *s = state;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nconns; i++) {
        sq_conn *c = s->conns[i];
        if (c->vm != vm) continue;
        c->before_exec = true;
        c->stmt_mark = c->next_stmt;
        c->txn_at_begin = !SQ.get_autocommit(c->db);
    }
    pthread_mutex_unlock(&s->lock);
}

/* Undo on c, open before the rolled-back execution, what it did there. */
static void conn_rollback(sq_conn *c) {
    for (size_t i = 0; i < SQ_MAX_STMTS; i++)
        if (c->stmts[i].id > c->stmt_mark) {
            SQ.finalize(c->stmts[i].st);
            c->stmts[i] = (sq_stmt){0, NULL};
            c->budget->cursors--; /* the sandbox's cap counts it no more */
        }
    /* A transaction already open stays open (with the writes made since:
     * there is no savepoint to go back to); one begun here is rolled back. */
    if (!c->txn_at_begin && !SQ.get_autocommit(c->db)) SQ.exec(c->db, "ROLLBACK", NULL, NULL, NULL);
}

static void sqlite_exec_rollback(void *state, const airlock_vm *vm) {
    host_sqlite *s = state;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->nconns;) {
        sq_conn *c = s->conns[i];
        if (c->vm == vm && !c->before_exec) {
            conn_close(c); /* opened by the execution rolled back */
            s->conns[i] = s->conns[--s->nconns];
            continue;
        }
        if (c->vm == vm) conn_rollback(c);
        i++;
    }
    pthread_mutex_unlock(&s->lock);
}

static void sqlite_free(void *state) {
    host_sqlite *s = state;
    for (size_t i = 0; i < s->nconns; i++) conn_close(s->conns[i]);
    for (size_t i = 0; i < s->ngrants; i++) grant_free(&s->grants[i]);
    free(s->conns);
    free(s->grants);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

/* The connections follow their sandbox and its executions. */
static const host_builtin_hooks sqlite_hooks = {sqlite_vm_free, sqlite_exec_begin, sqlite_exec_rollback, sqlite_free};

/* ---- what a connection may do ------------------------------------------------------ */

/* PRAGMAs that only read, with or without an argument naming an object or a
 * count. Every other PRAGMA changes a file or a setting and is refused. */
static bool pragma_allowed(const char *name, const char *arg) {
    static const char *const query_only[] = {
        "user_version", "schema_version", "application_id", "page_size", "page_count", "freelist_count",
        "encoding", "foreign_keys", "journal_mode", "data_version", "database_list", "collation_list",
        "function_list", "module_list", "pragma_list", "compile_options", "max_page_count", "auto_vacuum",
    };
    static const char *const with_arg[] = {
        "table_info", "table_xinfo", "table_list", "index_info", "index_xinfo", "index_list",
        "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check",
    };
    for (size_t i = 0; i < sizeof with_arg / sizeof *with_arg; i++)
        if (strcasecmp(name, with_arg[i]) == 0) return true;
    if (arg) return false;
    for (size_t i = 0; i < sizeof query_only / sizeof *query_only; i++)
        if (strcasecmp(name, query_only[i]) == 0) return true;
    return false;
}

static int refuse(sq_conn *c, const char *what, const char *why) {
    snprintf(c->denied, sizeof c->denied, "%s%s", what, why);
    return SQLITE_DENY;
}

static int authorize(void *ud, int action, const char *a, const char *b, const char *db, const char *trigger) {
    (void)trigger;
    sq_conn *c = ud;
    /* The temp schema lives outside the granted file, whatever the syntax
     * that reaches it (CREATE TEMP ..., CREATE TABLE temp.x, a view, trigger,
     * index or virtual table there, writes into one): only reading it. */
    if (db && strcasecmp(db, "temp") == 0 && action != SQLITE_READ && action != SQLITE_SELECT)
        return refuse(c, "objects in the temp schema", " are not allowed: they are stored outside the granted database");
    switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        return refuse(c, "ATTACH/DETACH", " is not allowed: the sandbox reaches only the database it was granted");
    case SQLITE_PRAGMA:
        if (pragma_allowed(a, b)) return SQLITE_OK;
        return refuse(c, a ? a : "?", b ? " with a value is not allowed: pragmas that change files or settings "
                                           "are refused in the sandbox"
                                         : " is not allowed: only read-only pragmas are");
    case SQLITE_FUNCTION:
        if (b && (strcasecmp(b, "load_extension") == 0 || strcasecmp(b, "fts3_tokenizer") == 0))
            return refuse(c, b, "() is not allowed: it loads native code into the host");
        return SQLITE_OK;
    case SQLITE_CREATE_TEMP_TABLE:
    case SQLITE_CREATE_TEMP_INDEX:
    case SQLITE_CREATE_TEMP_TRIGGER:
    case SQLITE_CREATE_TEMP_VIEW:
        return refuse(c, "objects in the temp schema", " are not allowed: they are stored outside the granted database");
    default: return SQLITE_OK;
    }
}

/* Called every SQ_PROGRESS_OPS steps of a statement: non-zero interrupts it. */
static int progress(void *ud) {
    sq_conn *c = ud;
    int stop = host_stop_pending();
    if (stop != AIRLOCK_LIMIT_NONE) c->stop_reason = stop;
    return stop != AIRLOCK_LIMIT_NONE;
}

/* Waiting for another process's lock: up to connect(timeout=), never past
 * the sandbox's deadline. */
static int busy(void *ud, int count) {
    sq_conn *c = ud;
    if (host_stop_pending() || (int64_t)count * 5 >= c->busy_ms) return 0;
    struct timespec ts = {0, 5000000};
    nanosleep(&ts, NULL);
    return 1;
}

static void tighten(sqlite3 *db) {
    static const int limits[][2] = {
        {SQLITE_LIMIT_LENGTH, SQ_MAX_VALUE},   {SQLITE_LIMIT_SQL_LENGTH, SQ_MAX_SQL},
        {SQLITE_LIMIT_COLUMN, 1000},           {SQLITE_LIMIT_EXPR_DEPTH, 200},
        {SQLITE_LIMIT_COMPOUND_SELECT, 100},   {SQLITE_LIMIT_VDBE_OP, 1000000},
        {SQLITE_LIMIT_FUNCTION_ARG, 32},       {SQLITE_LIMIT_ATTACHED, 0},
        {SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000}, {SQLITE_LIMIT_VARIABLE_NUMBER, 10000},
        {SQLITE_LIMIT_TRIGGER_DEPTH, 32},      {SQLITE_LIMIT_WORKER_THREADS, 0},
    };
    for (size_t i = 0; i < sizeof limits / sizeof *limits; i++) SQ.limit(db, limits[i][0], limits[i][1]);
}

/* Everything that makes a fresh connection safe to hand to the guest. */
static bool harden(sq_conn *c) {
    sqlite3 *db = c->db;
    bool ok = SQ.db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL) == SQLITE_OK &&
              SQ.enable_load_extension(db, 0) == SQLITE_OK &&
              SQ.db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL) == SQLITE_OK &&
              SQ.db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL) == SQLITE_OK &&
              SQ.db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, NULL) == SQLITE_OK &&
              SQ.set_authorizer(db, authorize, c) == SQLITE_OK &&
              SQ.busy_handler(db, busy, c) == SQLITE_OK && sq_functions_install(c);
    tighten(db);
    SQ.progress_handler(db, SQ_PROGRESS_OPS, progress, c);
    return ok;
}

/* ---- errors ----------------------------------------------------------------------- */

/* The DB-API class CPython's sqlite3 uses for rc. */
static const char *exc_class(int rc) {
    switch (rc & 0xff) {
    case SQLITE_INTERNAL: case SQLITE_NOTFOUND: return "sqlite3.InternalError";
    case SQLITE_NOMEM: return "MemoryError";
    case SQLITE_ERROR: case SQLITE_PERM: case SQLITE_ABORT: case SQLITE_BUSY: case SQLITE_LOCKED:
    case SQLITE_READONLY: case SQLITE_INTERRUPT: case SQLITE_IOERR: case SQLITE_FULL: case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL: case SQLITE_EMPTY: case SQLITE_SCHEMA: return "sqlite3.OperationalError";
    case SQLITE_TOOBIG: return "sqlite3.DataError";
    case SQLITE_CONSTRAINT: case SQLITE_MISMATCH: return "sqlite3.IntegrityError";
    case SQLITE_MISUSE: case SQLITE_RANGE: return "sqlite3.InterfaceError";
    default: return "sqlite3.DatabaseError";
    }
}

int sq_raise(airlock_call *call, sq_conn *c, int rc) {
    /* The authorizer refused part of the statement: SQLite reports that as
     * SQLITE_AUTH or, for functions and temporary objects, SQLITE_ERROR. */
    if (c->denied[0]) {
        airlock_call_note_denied(call, c->denied);
        return airlock_call_raise(call, "sqlite3.DatabaseError", "not authorized: %s", c->denied);
    }
    /* The progress handler, like/glob or the allocator stopped it. */
    bool stopped = (rc & 0xff) == SQLITE_INTERRUPT || (rc & 0xff) == SQLITE_NOMEM || rc == SQLITE_IOERR_NOMEM;
    if (stopped && c->stop_reason == AIRLOCK_LIMIT_MEMORY)
        return airlock_call_raise(call, "MemoryError",
                                  "SQLite needs more host memory than the sandbox may use (its memory limit, %zu "
                                  "MiB, counted for SQLite apart from the guest's own)", c->budget->cap >> 20);
    if (stopped && c->stop_reason)
        return airlock_call_raise(call, "sqlite3.OperationalError", "interrupted: %s",
                                  c->stop_reason == AIRLOCK_LIMIT_TIMEOUT ? "the sandbox's time limit was reached"
                                                                          : "the sandbox was interrupted");
    if ((rc & 0xff) == SQLITE_FULL && sq_budget_refused(c->budget))
        return airlock_call_raise(call, "sqlite3.OperationalError",
                                  "database or disk is full: the statement needs more temporary storage (for a "
                                  "sort, DISTINCT or a subquery) than the %u MiB a sandbox may use",
                                  SQ_TEMP_BYTES >> 20);
    if ((rc & 0xff) == SQLITE_TOOBIG)
        return airlock_call_raise(call, "sqlite3.DataError", "%s (the sandbox's cap is %u bytes per value)",
                                  SQ.errmsg(c->db), SQ_MAX_VALUE);
    return airlock_call_raise(call, exc_class(rc), "%s", SQ.errmsg(c->db));
}

/* ---- host functions ------------------------------------------------------------------ */

static const sq_grant *find_grant(const host_sqlite *s, const char *path) {
    for (size_t i = 0; i < s->ngrants; i++) {
        const sq_grant *g = &s->grants[i];
        if (strcmp(path, g->given) == 0 || strcmp(path, g->abs) == 0 || strcmp(path, g->real) == 0) return g;
    }
    return NULL;
}

static int deny_path(airlock_call *call, const host_sqlite *s, const char *path) {
    char list[600] = "";
    size_t n = 0;
    for (size_t i = 0; i < s->ngrants && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s%s", i ? ", " : "", s->grants[i].given,
                              s->grants[i].writable ? " (rw)" : "");
    return airlock_call_deny(call, "sqlite3: the database '%.200s' is not granted to this sandbox (granted: %s); "
                             "the host grants one with airlock_runtime_allow_sqlite() (the CLI's --allow-sqlite PATH[:rw])", path, list);
}

/* The directory may not have been swapped (e.g. for a symlink) since the grant. */
static bool dir_unchanged(const sq_grant *g) {
    char *abs_dir = strndup(g->abs, (size_t)(strrchr(g->abs, '/') - g->abs) + 1);
    char *now = abs_dir ? realpath(abs_dir, NULL) : NULL;
    bool same = now && strcmp(now, g->dir_real) == 0;
    free(abs_dir);
    free(now);
    return same;
}

static sq_conn *open_conn(airlock_call *call, host_sqlite *s, const sq_grant *g, double timeout) {
    sq_conn *c = calloc(1, sizeof *c);
    if (c && !(c->budget = budget_of(s, host_calling_vm()))) {
        free(c);
        c = NULL;
    }
    if (!c) {
        airlock_call_raise(call, "MemoryError", "out of host memory");
        return NULL;
    }
    int flags = (g->writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
                SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_PRIVATECACHE;
    c->temp = sq_tempvfs_new(c->budget);
    sq_mem_enter(c);
    int rc = c->temp ? SQ.open_v2(g->real, &c->db, flags, sq_tempvfs_name(c->temp)) : SQLITE_NOMEM;
    c->grant = g;
    c->busy_ms = timeout > 0 ? (int64_t)(timeout * 1000) : 0;
    if (rc == SQLITE_OK && !harden(c)) rc = SQLITE_ERROR;
    if (rc != SQLITE_OK) {
        airlock_call_raise(call, "sqlite3.OperationalError", "unable to open database file %.200s: %s", g->given,
                           c->db ? SQ.errmsg(c->db) : "out of memory");
        SQ.close_v2(c->db);
        sq_tempvfs_free(c->temp);
        sq_mem_forget(c);
        sq_budget_release(c->budget);
        free(c);
        return NULL;
    }
    return c;
}

/* Register c for the calling sandbox: its id, or 0 with an exception raised. */
static int64_t add_conn(airlock_call *call, host_sqlite *s, sq_conn *c) {
    const airlock_vm *vm = host_calling_vm();
    pthread_mutex_lock(&s->lock);
    int64_t id = 0;
    sq_conn **grown = conns_of(s, vm) < SQ_MAX_CONNS ? realloc(s->conns, (s->nconns + 1) * sizeof *s->conns) : NULL;
    if (grown) {
        s->conns = grown;
        c->id = id = ++s->next_id;
        c->vm = vm;
        s->conns[s->nconns++] = c;
    }
    pthread_mutex_unlock(&s->lock);
    if (!id) {
        airlock_call_raise(call, "sqlite3.OperationalError",
                           "too many open connections (a sandbox may have %d): close some first", SQ_MAX_CONNS);
        conn_close(c);
    }
    return id;
}

/* _connect(path, timeout) -> {"id", "readonly"} */
static int sq_connect(airlock_call *call) {
    host_sqlite *s = airlock_call_userdata(call);
    const char *path;
    size_t len;
    if (airlock_call_get_str(call, 0, "path", &path, &len)) return AIRLOCK_ERROR;
    const sq_grant *g = strlen(path) == len ? find_grant(s, path) : NULL;
    if (!g) return deny_path(call, s, path);
    if (!dir_unchanged(g))
        return airlock_call_deny(call, "sqlite3: the directory of '%.200s' changed since it was granted (a symlink?)",
                                 g->given);
    sq_conn *c = open_conn(call, s, g, airlock_value_float(airlock_call_param(call, 1, "timeout")));
    int64_t id = c ? add_conn(call, s, c) : 0;
    if (!id) return AIRLOCK_ERROR;
    airlock_value *r = airlock_value_new_dict();
    airlock_dict_set(r, "id", airlock_value_new_int(id));
    airlock_dict_set(r, "readonly", airlock_value_new_bool(!g->writable));
    return airlock_call_return(call, r);
}

static sq_conn *conn_arg(airlock_call *call) {
    int64_t cid;
    return airlock_call_get_int(call, 0, "cid", &cid) ? NULL : sq_conn_of(call, cid);
}

/* Run one fixed statement (COMMIT, ROLLBACK) on c. */
static int run_fixed(airlock_call *call, sq_conn *c, const char *sql) {
    if (SQ.get_autocommit(c->db)) return airlock_call_return(call, airlock_value_new_none());
    c->stop_reason = 0;
    c->denied[0] = '\0';
    int rc = SQ.exec(c->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? airlock_call_return(call, airlock_value_new_none()) : sq_raise(call, c, rc);
}

static int sq_commit(airlock_call *call) {
    sq_conn *c = conn_arg(call);
    return c ? run_fixed(call, c, "COMMIT") : AIRLOCK_ERROR;
}

static int sq_rollback(airlock_call *call) {
    sq_conn *c = conn_arg(call);
    return c ? run_fixed(call, c, "ROLLBACK") : AIRLOCK_ERROR;
}

/* _close(cid): closing twice is not an error (DB-API). */
static int sq_close(airlock_call *call) {
    int64_t cid;
    if (airlock_call_get_int(call, 0, "cid", &cid)) return AIRLOCK_ERROR;
    sq_conn *c = conn_take(airlock_call_userdata(call), cid, host_calling_vm());
    if (c) conn_close(c);
    return airlock_call_return(call, airlock_value_new_none());
}

/* _state(cid) -> {"intx", "total_changes"} */
static int sq_state(airlock_call *call) {
    sq_conn *c = conn_arg(call);
    if (!c) return AIRLOCK_ERROR;
    airlock_value *r = airlock_value_new_dict();
    airlock_dict_set(r, "intx", airlock_value_new_bool(!SQ.get_autocommit(c->db)));
    airlock_dict_set(r, "total_changes", airlock_value_new_int(SQ.total_changes64(c->db)));
    return airlock_call_return(call, r);
}

/* ---- the plugin ------------------------------------------------------------------------ */

/* Each host function works for the connection it names (sq_conn_of,
 * open_conn: its SQLite memory is charged to the sandbox) and, once it
 * returns, the thread works for no connection. */
#define SQ_HOST_FUNCTIONS(X)                                                                                      \
    X(_connect, sq_connect, "open a granted database")                                                            \
    X(_execute, sq_execute, "run one statement, return the first rows")                                           \
    X(_executemany, sq_executemany, "run one statement per parameter set")                                        \
    X(_fetch, sq_fetch, "more rows of a statement")                                                               \
    X(_finalize, sq_finalize, "forget a statement")                                                               \
    X(_script, sq_script, "run several statements")                                                               \
    X(_commit, sq_commit, "commit")                                                                               \
    X(_rollback, sq_rollback, "roll back")                                                                        \
    X(_close, sq_close, "close a connection")                                                                     \
    X(_state, sq_state, "transaction state")

#define SQ_METERED(name, fn, doc)                                                                                 \
    static int metered##name(airlock_call *call) {                                                                \
        int rc = fn(call);                                                                                        \
        sq_mem_leave();                                                                                           \
        return rc;                                                                                                \
    }
SQ_HOST_FUNCTIONS(SQ_METERED)
#undef SQ_METERED

static const airlock_function sqlite_functions[] = {
#define SQ_ENTRY(name, fn, doc) {#name, metered##name, doc},
    SQ_HOST_FUNCTIONS(SQ_ENTRY)
#undef SQ_ENTRY
    {NULL, NULL, NULL},
};

static airlock_module sqlite_modules[2];
static char *sqlite_python;
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

/* The wrapper: the library's version, then src/plugins/py/sqlite3.py. */
static void make_modules(void) {
    const char *src = host_py_source("sqlite3.py");
    if (src) {
        const char *v = SQ.libversion();
        sqlite_python = malloc(strlen(src) + 2 * strlen(v) + 64);
        if (sqlite_python) sprintf(sqlite_python, "sqlite_version = '%s'\nversion = '%s'\n%s", v, v, src);
    }
    sqlite_modules[0] = (airlock_module){"sqlite3", sqlite_functions, sqlite_python};
}

static void describe(void *state, char *buf, size_t size) {
    const host_sqlite *s = state;
    size_t n = (size_t)snprintf(buf, size, "open the SQLite database%s ", s->ngrants > 1 ? "s" : "");
    for (size_t i = 0; i < s->ngrants && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%s (%s)", i ? ", " : "", s->grants[i].given,
                              s->grants[i].writable ? "read and write" : "read-only");
    if (n < size)
        snprintf(buf + n, size - n, " through import sqlite3; no other file, no ATTACH, no extensions, no pragmas "
                                    "that change files or settings");
}

static const airlock_plugin sqlite_plugin = {
    AIRLOCK_PLUGIN_ABI_VERSION, "sqlite", AIRLOCK_VERSION,
    "open the granted SQLite databases through import sqlite3", sqlite_modules, NULL, NULL, describe, NULL,
};

/* ---- the grant ---------------------------------------------------------------------------- */

/* The first grant adds the plugin (rt->lock held): AIRLOCK_OK or a code
 * with rt's message set. */
static int ensure_plugin(airlock_runtime *rt, host_registry *reg) {
    for (size_t i = 0; i < reg->nplugins; i++)
        if (reg->plugins[i]->def == &sqlite_plugin) return AIRLOCK_OK;
    const char *why = sq_lib_load();
    if (why) return runtime_fail(rt, AIRLOCK_DENIED, "%s", why);
    pthread_once(&sqlite_once, make_modules);
    if (!sqlite_python) return runtime_fail(rt, AIRLOCK_NOMEM, "the sqlite3 wrapper is missing");
    host_sqlite *s = host_builtin_state(reg, &sqlite_hooks);
    if (!s && (s = state_new()) && !host_builtin_add(reg, &sqlite_hooks, s)) {
        sqlite_free(s);
        s = NULL;
    }
    if (!s) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    return host_add_plugin_locked(rt, reg, &sqlite_plugin, s, "built-in", NULL);
}

static int add_grant(airlock_runtime *rt, host_sqlite *s, const char *path, int writable) {
    for (size_t i = 0; i < s->ngrants; i++)
        if (strcmp(s->grants[i].given, path) == 0) {
            s->grants[i].writable |= writable != 0; /* the wider grant wins */
            return AIRLOCK_OK;
        }
    sq_grant g = {0};
    int rc = fill_grant(rt, &g, path, writable);
    sq_grant *grown = rc ? NULL : realloc(s->grants, (s->ngrants + 1) * sizeof *grown);
    if (!grown) {
        grant_free(&g);
        return rc ? rc : runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    }
    s->grants = grown;
    s->grants[s->ngrants++] = g;
    return AIRLOCK_OK;
}

int airlock_runtime_allow_sqlite(airlock_runtime *rt, const char *path, int writable) {
    if (!rt) return AIRLOCK_MISUSE;
    if (!path || !*path || strlen(path) > PATH_MAX)
        return runtime_fail(rt, AIRLOCK_MISUSE, "a SQLite grant needs the path of a database file");
    pthread_mutex_lock(runtime_lock(rt));
    int rc;
    host_registry *reg = !runtime_booted(rt) ? host_registry_of(rt) : NULL;
    if (runtime_booted(rt))
        rc = runtime_fail(rt, AIRLOCK_MISUSE, "grants must be made before the first sandbox is created");
    else if (!reg)
        rc = runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    else if ((rc = ensure_plugin(rt, reg)) == AIRLOCK_OK)
        rc = add_grant(rt, host_builtin_state(reg, &sqlite_hooks), path, writable);
    pthread_mutex_unlock(runtime_lock(rt));
    return rc;
}
