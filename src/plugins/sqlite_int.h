/*
 * sqlite_int.h - the sqlite3 grant's internals, shared by sqlite.c (grants,
 * connections, the plugin), sqlite_exec.c (statements and rows),
 * sqlite_func.c (functions), sqlite_vfs.c (temporary files), sqlite_lib.c
 * (the library, loaded on first use) and sqlite_mem.c (its memory).
 */
#ifndef AIRLOCK_PLUGINS_SQLITE_INT_H
#define AIRLOCK_PLUGINS_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>

#include "plugins/builtin.h"

/* ---- the library (sqlite_lib.c) ------------------------------------------------
 * libsqlite3 is not linked: it is loaded by the first grant, as a private
 * copy when the system allows (see sqlite_lib.c), and called only through
 * this table, so that libairlock imports no sqlite3_* symbol. sqlite3.h
 * still gives the types, the constants and, through __typeof__, each
 * function's exact signature. */
#define SQ_FUNCTIONS(X)                                                                                            \
    X(bind_blob64) X(bind_double) X(bind_int64) X(bind_null) X(bind_parameter_count) X(bind_parameter_name)        \
    X(bind_text64) X(bind_value) X(busy_handler) X(changes64) X(clear_bindings) X(close_v2) X(column_blob)         \
    X(column_bytes) X(column_count) X(column_double) X(column_int64) X(column_name) X(column_text) X(column_type)  \
    X(column_value) X(compileoption_used) X(config) X(context_db_handle) X(create_function_v2) X(db_config)        \
    X(enable_load_extension) X(errmsg) X(exec) X(finalize) X(free) X(get_autocommit) X(initialize)                 \
    X(last_insert_rowid) X(libversion) X(libversion_number) X(limit) X(malloc64) X(open_v2) X(prepare_v3)          \
    X(progress_handler) X(reset) X(result_error) X(result_error_code) X(result_error_nomem)                        \
    X(result_error_toobig) X(result_int) X(result_int64) X(result_text64) X(result_value) X(set_authorizer)        \
    X(sql) X(step) X(stmt_readonly) X(stmt_status) X(total_changes64) X(user_data) X(value_blob) X(value_bytes)   \
    X(value_int64) X(value_text) X(value_type) X(vfs_find) X(vfs_register) X(vfs_unregister)

typedef struct sq_api {
#define SQ_FIELD(name) __typeof__(&sqlite3_##name) name;
    SQ_FUNCTIONS(SQ_FIELD)
#undef SQ_FIELD
} sq_api;

/* The library's functions: SQ.step(st) is sqlite3_step(st). Set once by
 * sq_lib_load(), read-only after. */
extern sq_api SQ;

/* Load and set up the library (once per process): NULL, or why SQLite
 * cannot be used (the message names what to install). */
const char *sq_lib_load(void);
/* Is this copy of the library the process's own (dlmopen unavailable)? */
bool sq_lib_shared(void);

/* Caps, per sandbox and per call. A row is returned whole, so the bytes of
 * one batch stay under SQ_BATCH_BYTES + SQ_MAX_VALUE: with bytes sent as
 * hex, that still fits the default 16 MiB host-call result. */
#define SQ_MAX_CONNS 8            /* open connections per sandbox */
#define SQ_MAX_STMTS 32           /* unfinished cursors per sandbox, all its connections */
#define SQ_MAX_BATCH 1000         /* rows per call */
#define SQ_BATCH_BYTES (4u << 20) /* a batch stops growing past this */
#define SQ_MAX_VALUE (2u << 20)   /* SQLITE_LIMIT_LENGTH: one string, blob or row */
#define SQ_MAX_SQL (1u << 20)     /* SQLITE_LIMIT_SQL_LENGTH */
#define SQ_TEMP_BYTES (64u << 20) /* temporary files (in memory) per sandbox */
/* A statement's instructions (bounded by its heap / 24) x its largest
 * text or blob parameter: what SQLite may do with parameters between two
 * deadline checks (sqlite_exec.c, param_cap). 2 MiB: up to ~250 instructions. */
#define SQ_PARAM_WORK ((size_t)512 << 20)
/* VM steps between deadline checks: one step may call a function that is
 * linear in a 2 MiB value (~1-5 ms), so few; measured cost under 1%. */
#define SQ_PROGRESS_OPS 16

typedef struct sq_grant {
    char *given;      /* the path as granted */
    char *abs;        /* made absolute, lexically */
    char *real;       /* canonical directory + '/' + name: what is opened */
    char *dir_real;   /* canonical directory at grant time */
    bool writable;
} sq_grant;

typedef struct sq_stmt {
    int64_t id;       /* 0: free slot */
    sqlite3_stmt *st;
} sq_stmt;

/* What the connections of one sandbox hold on the host together, against
 * the caps above. Shared by those connections, which only that sandbox's
 * thread uses; the heap counters are atomic because SQLite may free a
 * block on another thread (e.g. a file's lock record, allocated by the
 * first connection to the file, freed with the last, of any sandbox). */
typedef struct sq_budget {
    size_t temp_bytes;           /* temporary files in memory */
    int cursors;                 /* unfinished statements */
    bool refused;                /* the temp cap refused a write since last asked */
    size_t cap;                  /* heap_bytes may reach this: the sandbox's memory limit */
    _Atomic size_t heap_bytes;   /* SQLite's heap charged to the sandbox */
    _Atomic size_t holds;        /* its connections and heap blocks: freed at 0 */
} sq_budget;

/* ---- memory (sqlite_mem.c) --------------------------------------------------------
 * SQLite allocates, and fetches pages, through sq_mem_install()'s hooks. While the plugin works for a
 * connection (sq_mem_enter .. sq_mem_leave, on the sandbox's thread), each
 * allocation is charged to its sandbox's budget and refused once the
 * budget is spent or the sandbox must stop (deadline, interrupt): SQLite
 * then fails the statement with SQLITE_NOMEM, and c->stop_reason says why
 * (sq_raise reports it). Allocations and page fetches are where nearly
 * all of SQLite's work between two jumps happens: a function making its
 * result, a value read from the file, a sort. */
bool sq_mem_install(void);                       /* before SQLite initialises; false if too late */
sq_budget *sq_budget_new(void);                  /* one hold; NULL when out of memory */
void sq_budget_hold(sq_budget *b);
void sq_budget_release(sq_budget *b);            /* frees b with its last hold */
struct sq_conn;
void sq_mem_enter(struct sq_conn *c);            /* this thread now works for c */
void sq_mem_leave(void);                         /* ... for no connection */
void sq_mem_forget(const struct sq_conn *c);     /* c is being closed */

/* A connection's VFS: temporary files in memory, charged to budget
 * (sqlite_vfs.c). */
typedef struct sq_tempvfs sq_tempvfs;
sq_tempvfs *sq_tempvfs_new(sq_budget *budget); /* registered; NULL when out of memory */
const char *sq_tempvfs_name(const sq_tempvfs *t);
void sq_tempvfs_free(sq_tempvfs *t); /* after the connection is closed */
/* Did the temp cap refuse a write since last asked? (clears it) */
bool sq_budget_refused(sq_budget *b);

typedef struct sq_conn {
    int64_t id;
    const airlock_vm *vm;         /* the sandbox that opened it */
    sqlite3 *db;
    sq_tempvfs *temp;             /* db's VFS, freed after db */
    sqlite3 *helper;              /* in memory, with SQLite's own printf (sqlite_func.c); NULL until used */
    sq_budget *budget;            /* shared with the sandbox's other connections */
    const sq_grant *grant;
    int64_t busy_ms;              /* connect(timeout=): waiting for a lock */
    int64_t next_stmt;
    sq_stmt stmts[SQ_MAX_STMTS];
    int stop_reason;              /* airlock_limit_kind that stopped the statement: the progress
                                   * handler, like/glob or the allocator (sqlite_mem.c) */
    /* At the start of the sandbox's execution in progress (host_sqlite_exec_begin):
     * open then, its last cursor id, and whether a transaction was open. */
    bool before_exec;
    int64_t stmt_mark;
    bool txn_at_begin;
    char denied[200];             /* why the authorizer refused, for the message */
    bool like_skips_blobs;        /* SQLITE_LIKE_DOESNT_MATCH_BLOBS: like(blob) is 0 */
} sq_conn;

typedef struct host_sqlite {
    pthread_mutex_t lock;         /* guards conns: sandboxes run on many threads */
    sq_grant *grants;
    size_t ngrants;
    sq_conn **conns;
    size_t nconns;
    int64_t next_id;
} host_sqlite;

/* The calling sandbox's connection cid, or NULL with ProgrammingError
 * raised (closed, or another sandbox's). */
sq_conn *sq_conn_of(airlock_call *call, int64_t cid);
/* Raise the exception matching SQLite's error rc on c; AIRLOCK_ERROR. */
int sq_raise(airlock_call *call, sq_conn *c, int rc);
/* Finalize every statement of c. */
void sq_stmts_free(sq_conn *c);

/* Replace SQLite's functions whose cost grows faster than their
 * arguments (sqlite_func.c); false if one could not be registered. */
bool sq_functions_install(sq_conn *c);

/* Host functions of sqlite_exec.c. */
int sq_execute(airlock_call *call);
int sq_executemany(airlock_call *call);
int sq_fetch(airlock_call *call);
int sq_finalize(airlock_call *call);
int sq_script(airlock_call *call);

#endif
