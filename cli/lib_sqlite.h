/*
 * lib_sqlite.h - SQLite for the CLI's own use (serve's session store, the
 * host-side check of probe's --allow-sqlite), opened by sqlite_api_open()
 * instead of linked (dynlib.h). The sqlite3 grant's plugin loads its own
 * copy (src/plugins/sqlite_lib.c).
 */
#ifndef AIRLOCK_CLI_LIB_SQLITE_H
#define AIRLOCK_CLI_LIB_SQLITE_H

#include <sqlite3.h>

#include "dynlib.h"

#define SQLITE_FUNCTIONS(X)                                                                        \
    X(sqlite3_open_v2) X(sqlite3_close) X(sqlite3_busy_timeout) X(sqlite3_exec) X(sqlite3_errmsg)  \
    X(sqlite3_errstr) X(sqlite3_prepare_v2) X(sqlite3_step) X(sqlite3_finalize) X(sqlite3_changes) \
    X(sqlite3_bind_blob64) X(sqlite3_bind_double) X(sqlite3_bind_int64) X(sqlite3_bind_text)       \
    X(sqlite3_column_blob) X(sqlite3_column_bytes) X(sqlite3_column_int64)
DYNLIB_DECLARE(sqlite_api, SQLITE_FUNCTIONS)

#define sqlite3_open_v2 (*sqlite_api.p_sqlite3_open_v2)
#define sqlite3_close (*sqlite_api.p_sqlite3_close)
#define sqlite3_busy_timeout (*sqlite_api.p_sqlite3_busy_timeout)
#define sqlite3_exec (*sqlite_api.p_sqlite3_exec)
#define sqlite3_errmsg (*sqlite_api.p_sqlite3_errmsg)
#define sqlite3_errstr (*sqlite_api.p_sqlite3_errstr)
#define sqlite3_prepare_v2 (*sqlite_api.p_sqlite3_prepare_v2)
#define sqlite3_step (*sqlite_api.p_sqlite3_step)
#define sqlite3_finalize (*sqlite_api.p_sqlite3_finalize)
#define sqlite3_changes (*sqlite_api.p_sqlite3_changes)
#define sqlite3_bind_blob64 (*sqlite_api.p_sqlite3_bind_blob64)
#define sqlite3_bind_double (*sqlite_api.p_sqlite3_bind_double)
#define sqlite3_bind_int64 (*sqlite_api.p_sqlite3_bind_int64)
#define sqlite3_bind_text (*sqlite_api.p_sqlite3_bind_text)
#define sqlite3_column_blob (*sqlite_api.p_sqlite3_column_blob)
#define sqlite3_column_bytes (*sqlite_api.p_sqlite3_column_bytes)
#define sqlite3_column_int64 (*sqlite_api.p_sqlite3_column_int64)

#endif
