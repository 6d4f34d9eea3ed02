/*
 * sqlite_int.h - the sqlite3 grant's internals, shared by sqlite.c (grants,
 * connections, the plugin) and sqlite_exec.c (statements and rows).
 */
#ifndef AIRLOCK_PLUGINS_SQLITE_INT_H
#define AIRLOCK_PLUGINS_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "plugins/builtin.h"

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
 * thread uses, so it needs no lock; freed with the last of them. */
typedef struct sq_budget {
    size_t temp_bytes; /* temporary files in memory */
    int cursors;       /* unfinished statements */
    int refs;          /* connections sharing it */
    bool refused;      /* the temp cap refused a write since last asked */
} sq_budget;

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
    sq_budget *budget;            /* shared with the sandbox's other connections */
    const sq_grant *grant;
    int64_t busy_ms;              /* connect(timeout=): waiting for a lock */
    int64_t next_stmt;
    sq_stmt stmts[SQ_MAX_STMTS];
    int stop_reason;              /* why the progress handler stopped a query */
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
