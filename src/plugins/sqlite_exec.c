/*
 * sqlite_exec.c - statements for the sqlite3 grant: prepare one statement,
 * bind the guest's parameters, and hand back rows in capped batches.
 *
 * A SELECT may produce more than one call can carry, so an unfinished
 * statement stays on the host (at most SQ_MAX_STMTS per sandbox) and
 * the guest's cursor fetches further batches of at most SQ_MAX_BATCH rows
 * and about SQ_BATCH_BYTES. Transactions follow CPython's default
 * (isolation_level ''): a BEGIN before the first INSERT, UPDATE, DELETE or
 * REPLACE, unless the guest asked for autocommit (isolation_level None).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "plugins/sqlite_int.h"

/* ---- SQL text ------------------------------------------------------------------ */

/* Past whitespace and comments. */
static const char *skip_space(const char *p) {
    for (;;) {
        while (isspace((unsigned char)*p)) p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *end = strstr(p + 2, "*/");
            p = end ? end + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

/* Statements that CPython opens a transaction for. */
static bool is_dml(const char *sql) {
    static const char *const kw[] = {"INSERT", "UPDATE", "DELETE", "REPLACE"};
    const char *p = skip_space(sql);
    for (size_t i = 0; i < sizeof kw / sizeof *kw; i++) {
        size_t n = strlen(kw[i]);
        if (strncasecmp(p, kw[i], n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_') return true;
    }
    return false;
}

/* ---- statements kept between calls ----------------------------------------------- */

static void stmt_drop(sq_conn *c, sq_stmt *s) {
    SQ.finalize(s->st);
    *s = (sq_stmt){0, NULL};
    c->budget->cursors--;
}

void sq_stmts_free(sq_conn *c) {
    for (size_t i = 0; i < SQ_MAX_STMTS; i++)
        if (c->stmts[i].id) stmt_drop(c, &c->stmts[i]);
}

/* Keep st for later batches: its id, or 0 if the sandbox has as many
 * unfinished statements as it may. */
static int64_t stmt_keep(sq_conn *c, sqlite3_stmt *st) {
    if (c->budget->cursors >= SQ_MAX_STMTS) return 0;
    for (size_t i = 0; i < SQ_MAX_STMTS; i++)
        if (!c->stmts[i].id) {
            c->stmts[i] = (sq_stmt){++c->next_stmt, st};
            c->budget->cursors++;
            return c->next_stmt;
        }
    return 0;
}

static sq_stmt *stmt_find(sq_conn *c, int64_t id) {
    for (size_t i = 0; id && i < SQ_MAX_STMTS; i++)
        if (c->stmts[i].id == id) return &c->stmts[i];
    return NULL;
}

/* ---- preparing and binding ------------------------------------------------------------ */

/* Prepare exactly one statement of sql; *st NULL for an empty one.
 * AIRLOCK_OK, or an exception raised. */
static int prepare(airlock_call *call, sq_conn *c, const char *sql, size_t len, sqlite3_stmt **st) {
    const char *tail = NULL;
    c->denied[0] = '\0';
    c->stop_reason = 0;
    sq_budget_refused(c->budget); /* forget an earlier statement's refusal */
    if (len > SQ_MAX_SQL)
        return airlock_call_raise(call, "sqlite3.DataError", "SQL of %zu bytes is longer than the %u allowed", len,
                                  SQ_MAX_SQL);
    int rc = SQ.prepare_v3(c->db, sql, (int)len, 0, st, &tail);
    if (rc != SQLITE_OK) return sq_raise(call, c, rc);
    if (tail && *skip_space(tail)) {
        SQ.finalize(*st);
        *st = NULL;
        return airlock_call_raise(call, "sqlite3.ProgrammingError", "You can only execute one statement at a time.");
    }
    return AIRLOCK_OK;
}

/* The largest text or blob a parameter of st may be. Every use of a
 * parameter shares its bound copy, so SQLite can work on it again and again
 * between two deadline checks without allocating: 1,000 constants
 * (?1 + k) over a 2 MB string of digits parse it 1,000 times, 3 s of CPU,
 * in one stretch. So the program's size (at most its heap over the 24 bytes
 * of an instruction, measured before anything is bound: bound values count
 * in it) times the largest parameter is capped. */
static size_t param_cap(sqlite3_stmt *st) {
    size_t ops = (size_t)SQ.stmt_status(st, SQLITE_STMTSTATUS_MEMUSED, 0) / 24 + 1;
    return SQ_PARAM_WORK / ops < SQ_MAX_VALUE ? SQ_PARAM_WORK / ops : SQ_MAX_VALUE;
}

/* Bind v as parameter i of st, whose parameters may be up to cap bytes. */
static int bind_value(airlock_call *call, sq_conn *c, sqlite3_stmt *st, size_t cap, int i, const airlock_value *v) {
    size_t len = 0;
    const char *text = NULL;
    const uint8_t *bytes = NULL;
    airlock_kind kind = airlock_value_kind(v);
    if (kind == AIRLOCK_STR) text = airlock_value_str(v, &len);
    if (kind == AIRLOCK_BYTES) bytes = airlock_value_bytes(v, &len);
    if (len > cap)
        return airlock_call_raise(call, "sqlite3.DataError",
                                  "parameter %d of %zu bytes is too large for this statement (at most %zu: a longer "
                                  "statement takes smaller values, since SQLite re-reads a parameter without checking "
                                  "the deadline)", i, len, cap);
    int rc;
    switch (kind) {
    case AIRLOCK_NONE: rc = SQ.bind_null(st, i); break;
    case AIRLOCK_BOOL: rc = SQ.bind_int64(st, i, airlock_value_bool(v)); break;
    case AIRLOCK_INT: rc = SQ.bind_int64(st, i, airlock_value_int(v)); break;
    case AIRLOCK_FLOAT: rc = SQ.bind_double(st, i, airlock_value_float(v)); break;
    case AIRLOCK_STR: rc = SQ.bind_text64(st, i, text, len, SQLITE_TRANSIENT, SQLITE_UTF8); break;
    case AIRLOCK_BYTES: rc = SQ.bind_blob64(st, i, len ? (const void *)bytes : "", len, SQLITE_TRANSIENT); break;
    default:
        return airlock_call_raise(call, "sqlite3.ProgrammingError",
                                  "Error binding parameter %d: type '%s' is not supported", i,
                                  kind == AIRLOCK_LIST ? "list" : "dict");
    }
    return rc == SQLITE_OK ? AIRLOCK_OK : sq_raise(call, c, rc);
}

static int bind_list(airlock_call *call, sq_conn *c, sqlite3_stmt *st, size_t cap, const airlock_value *params) {
    int n = SQ.bind_parameter_count(st);
    size_t have = airlock_value_len(params);
    if (have != (size_t)n)
        return airlock_call_raise(call, "sqlite3.ProgrammingError",
                                  "Incorrect number of bindings supplied. The current statement uses %d, and there "
                                  "are %zu supplied.", n, have);
    for (int i = 0; i < n; i++)
        if (bind_value(call, c, st, cap, i + 1, airlock_value_item(params, (size_t)i))) return AIRLOCK_ERROR;
    return AIRLOCK_OK;
}

static int bind_dict(airlock_call *call, sq_conn *c, sqlite3_stmt *st, size_t cap, const airlock_value *params) {
    int n = SQ.bind_parameter_count(st);
    for (int i = 1; i <= n; i++) {
        const char *name = SQ.bind_parameter_name(st, i);
        if (!name || !name[0] || name[0] == '?')
            return airlock_call_raise(call, "sqlite3.ProgrammingError",
                                      "Binding %d has no name, but you supplied a dictionary (which has only names).",
                                      i);
        const airlock_value *v = airlock_value_get(params, name + 1); /* past ':', '@' or '$' */
        if (!v)
            return airlock_call_raise(call, "sqlite3.ProgrammingError",
                                      "You did not supply a value for binding parameter %s.", name);
        if (bind_value(call, c, st, cap, i, v)) return AIRLOCK_ERROR;
    }
    return AIRLOCK_OK;
}

/* cap: param_cap(st), taken before anything was bound. */
static int bind_all(airlock_call *call, sq_conn *c, sqlite3_stmt *st, size_t cap, const airlock_value *params) {
    switch (airlock_value_kind(params)) {
    case AIRLOCK_NONE: return bind_list(call, c, st, cap, NULL);
    case AIRLOCK_LIST: return bind_list(call, c, st, cap, params);
    case AIRLOCK_DICT: return bind_dict(call, c, st, cap, params);
    default: return airlock_call_raise(call, "sqlite3.ProgrammingError", "parameters are of unsupported type");
    }
}

/* CPython's implicit BEGIN before a data-changing statement. */
static int begin_if_needed(airlock_call *call, sq_conn *c, sqlite3_stmt *st, bool implicit) {
    if (!implicit || !SQ.get_autocommit(c->db) || !is_dml(SQ.sql(st))) return AIRLOCK_OK;
    int rc = SQ.exec(c->db, "BEGIN", NULL, NULL, NULL);
    return rc == SQLITE_OK ? AIRLOCK_OK : sq_raise(call, c, rc);
}

/* ---- rows ----------------------------------------------------------------------------- */

static airlock_value *column_value(sqlite3_stmt *st, int i, size_t *bytes) {
    switch (SQ.column_type(st, i)) {
    case SQLITE_INTEGER: *bytes += 8; return airlock_value_new_int(SQ.column_int64(st, i));
    case SQLITE_FLOAT: *bytes += 8; return airlock_value_new_float(SQ.column_double(st, i));
    case SQLITE_TEXT: {
        const unsigned char *t = SQ.column_text(st, i);
        size_t n = (size_t)SQ.column_bytes(st, i);
        *bytes += n;
        return airlock_value_new_strn(t ? (const char *)t : "", n); /* invalid UTF-8: ValueError in the guest */
    }
    case SQLITE_BLOB: {
        const void *b = SQ.column_blob(st, i);
        size_t n = (size_t)SQ.column_bytes(st, i);
        *bytes += n;
        return airlock_value_new_bytes(b ? b : "", n);
    }
    default: *bytes += 1; return airlock_value_new_none();
    }
}

/* Step st up to nmax rows into rows; *done when it finished. AIRLOCK_OK or
 * an exception raised (st is then unusable). */
static int step_rows(airlock_call *call, sq_conn *c, sqlite3_stmt *st, int64_t nmax, airlock_value *rows,
                     bool *done) {
    size_t batch_bytes = 0;
    *done = false;
    c->stop_reason = 0;
    for (int64_t n = 0; n < nmax && batch_bytes < SQ_BATCH_BYTES; n++) {
        int rc = SQ.step(st);
        if (rc == SQLITE_DONE) {
            *done = true;
            return AIRLOCK_OK;
        }
        if (rc != SQLITE_ROW) return sq_raise(call, c, rc);
        size_t row_bytes = 0;
        airlock_value *row = airlock_value_new_list();
        for (int i = 0; i < SQ.column_count(st); i++) airlock_list_append(row, column_value(st, i, &row_bytes));
        airlock_list_append(rows, row);
        if (row_bytes > SQ_MAX_VALUE)
            return airlock_call_raise(call, "sqlite3.DataError",
                                      "a row of %zu bytes is larger than a sandbox may fetch at once (%u)", row_bytes,
                                      SQ_MAX_VALUE);
        batch_bytes += row_bytes;
    }
    return AIRLOCK_OK;
}

static airlock_value *column_names(sqlite3_stmt *st) {
    int n = SQ.column_count(st);
    if (n == 0) return airlock_value_new_none();
    airlock_value *names = airlock_value_new_list();
    for (int i = 0; i < n; i++) {
        const char *name = SQ.column_name(st, i);
        airlock_list_append(names, airlock_value_new_str(name ? name : ""));
    }
    return names;
}

static int64_t batch_size(airlock_call *call, size_t pos) {
    int64_t n = airlock_value_int(airlock_call_param(call, pos, "nmax"));
    return n < 1 ? 1 : n > SQ_MAX_BATCH ? SQ_MAX_BATCH : n;
}

/* The outcome of a statement: counts and the transaction state. */
static void add_counts(airlock_value *r, sq_conn *c, int64_t rowcount) {
    airlock_dict_set(r, "rowcount", airlock_value_new_int(rowcount));
    airlock_dict_set(r, "lastrowid", airlock_value_new_int(SQ.last_insert_rowid(c->db)));
    airlock_dict_set(r, "intx", airlock_value_new_bool(!SQ.get_autocommit(c->db)));
}

/* ---- host functions ---------------------------------------------------------------------- */

/* Run st's first batch and answer {"rows", "cols", "more", "rowcount", "lastrowid", "intx"}. */
static int first_batch(airlock_call *call, sq_conn *c, sqlite3_stmt *st, int64_t nmax) {
    airlock_value *rows = airlock_value_new_list();
    bool done;
    if (step_rows(call, c, st, nmax, rows, &done)) {
        SQ.finalize(st);
        airlock_value_free(rows);
        return AIRLOCK_ERROR;
    }
    int64_t more = done ? 0 : stmt_keep(c, st);
    if (!done && !more) {
        SQ.finalize(st);
        airlock_value_free(rows);
        return airlock_call_raise(call, "sqlite3.OperationalError",
                                  "too many unfinished cursors (a sandbox may have %d over all its connections): "
                                  "fetch them to the end or close them", SQ_MAX_STMTS);
    }
    airlock_value *r = airlock_value_new_dict();
    airlock_dict_set(r, "cols", column_names(st));
    airlock_dict_set(r, "rows", rows);
    airlock_dict_set(r, "more", airlock_value_new_int(more));
    add_counts(r, c, is_dml(SQ.sql(st)) ? SQ.changes64(c->db) : -1);
    if (done) SQ.finalize(st);
    return airlock_call_return(call, r);
}

/* _execute(cid, sql, params, nmax, implicit) */
int sq_execute(airlock_call *call) {
    int64_t cid;
    const char *sql;
    size_t len;
    if (airlock_call_get_int(call, 0, "cid", &cid) || airlock_call_get_str(call, 1, "sql", &sql, &len))
        return AIRLOCK_ERROR;
    sq_conn *c = sq_conn_of(call, cid);
    sqlite3_stmt *st = NULL;
    if (!c || prepare(call, c, sql, len, &st)) return AIRLOCK_ERROR;
    if (!st) {
        airlock_value *r = airlock_value_new_dict();
        airlock_dict_set(r, "cols", airlock_value_new_none());
        airlock_dict_set(r, "rows", airlock_value_new_list());
        airlock_dict_set(r, "more", airlock_value_new_int(0));
        add_counts(r, c, -1);
        return airlock_call_return(call, r);
    }
    if (begin_if_needed(call, c, st, airlock_value_bool(airlock_call_param(call, 4, "implicit"))) ||
        bind_all(call, c, st, param_cap(st), airlock_call_param(call, 2, "params"))) {
        SQ.finalize(st);
        return AIRLOCK_ERROR;
    }
    return first_batch(call, c, st, batch_size(call, 3));
}

/* Run st once per parameter set; the total of changed rows, or -1 with an
 * exception raised. */
static int64_t run_many(airlock_call *call, sq_conn *c, sqlite3_stmt *st, const airlock_value *seq, bool implicit) {
    int64_t changed = 0;
    size_t cap = param_cap(st);
    if (SQ.column_count(st) > 0 && SQ.stmt_readonly(st)) {
        airlock_call_raise(call, "sqlite3.ProgrammingError", "executemany() can only execute DML statements.");
        return -1;
    }
    for (size_t i = 0; i < airlock_value_len(seq); i++) {
        SQ.reset(st);
        SQ.clear_bindings(st);
        if (begin_if_needed(call, c, st, implicit) || bind_all(call, c, st, cap, airlock_value_item(seq, i))) return -1;
        c->stop_reason = 0;
        int rc = SQ.step(st);
        if (rc == SQLITE_ROW) {
            airlock_call_raise(call, "sqlite3.ProgrammingError", "executemany() can only execute DML statements.");
            return -1;
        }
        if (rc != SQLITE_DONE) {
            sq_raise(call, c, rc);
            return -1;
        }
        changed += SQ.changes64(c->db);
    }
    return changed;
}

/* _executemany(cid, sql, seq, implicit) -> {"rowcount", "lastrowid", "intx"} */
int sq_executemany(airlock_call *call) {
    int64_t cid;
    const char *sql;
    size_t len;
    if (airlock_call_get_int(call, 0, "cid", &cid) || airlock_call_get_str(call, 1, "sql", &sql, &len))
        return AIRLOCK_ERROR;
    const airlock_value *seq = airlock_call_param(call, 2, "seq");
    if (airlock_value_kind(seq) != AIRLOCK_LIST)
        return airlock_call_raise(call, "TypeError", "executemany() needs a sequence of parameter sets");
    sq_conn *c = sq_conn_of(call, cid);
    sqlite3_stmt *st = NULL;
    if (!c || prepare(call, c, sql, len, &st)) return AIRLOCK_ERROR;
    if (!st) return airlock_call_raise(call, "sqlite3.ProgrammingError", "executemany() needs a statement");
    int64_t changed = run_many(call, c, st, seq, airlock_value_bool(airlock_call_param(call, 3, "implicit")));
    SQ.finalize(st);
    if (changed < 0) return AIRLOCK_ERROR;
    airlock_value *r = airlock_value_new_dict();
    add_counts(r, c, is_dml(sql) ? changed : -1);
    return airlock_call_return(call, r);
}

/* _fetch(cid, sid, nmax) -> {"rows", "more"} */
int sq_fetch(airlock_call *call) {
    int64_t cid, sid;
    if (airlock_call_get_int(call, 0, "cid", &cid) || airlock_call_get_int(call, 1, "sid", &sid)) return AIRLOCK_ERROR;
    sq_conn *c = sq_conn_of(call, cid);
    if (!c) return AIRLOCK_ERROR;
    sq_stmt *s = stmt_find(c, sid);
    airlock_value *rows = airlock_value_new_list();
    bool done = true;
    if (s && step_rows(call, c, s->st, batch_size(call, 2), rows, &done)) {
        stmt_drop(c, s);
        airlock_value_free(rows);
        return AIRLOCK_ERROR;
    }
    if (s && done) stmt_drop(c, s);
    airlock_value *r = airlock_value_new_dict();
    airlock_dict_set(r, "rows", rows);
    airlock_dict_set(r, "more", airlock_value_new_int(done ? 0 : sid));
    return airlock_call_return(call, r);
}

/* _finalize(cid, sid): the cursor was closed or re-executed. */
int sq_finalize(airlock_call *call) {
    int64_t cid, sid;
    if (airlock_call_get_int(call, 0, "cid", &cid) || airlock_call_get_int(call, 1, "sid", &sid)) return AIRLOCK_ERROR;
    sq_conn *c = sq_conn_of(call, cid);
    if (!c) return AIRLOCK_ERROR;
    sq_stmt *s = stmt_find(c, sid);
    if (s) stmt_drop(c, s);
    return airlock_call_return(call, airlock_value_new_none());
}

/* One statement of a script, its rows ignored. */
static int run_one(airlock_call *call, sq_conn *c, sqlite3_stmt *st) {
    int rc;
    c->stop_reason = 0;
    while ((rc = SQ.step(st)) == SQLITE_ROW) {}
    SQ.finalize(st);
    return rc == SQLITE_DONE ? AIRLOCK_OK : sq_raise(call, c, rc);
}

/* _script(cid, sql): as CPython's executescript, commit first, then run
 * every statement. */
int sq_script(airlock_call *call) {
    int64_t cid;
    const char *sql;
    size_t len;
    if (airlock_call_get_int(call, 0, "cid", &cid) || airlock_call_get_str(call, 1, "sql", &sql, &len))
        return AIRLOCK_ERROR;
    sq_conn *c = sq_conn_of(call, cid);
    if (!c) return AIRLOCK_ERROR;
    if (len > SQ_MAX_SQL || strlen(sql) != len)
        return airlock_call_raise(call, "sqlite3.DataError", "the script is too long or contains NUL");
    c->denied[0] = '\0';
    int rc = SQ.get_autocommit(c->db) ? SQLITE_OK : SQ.exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return sq_raise(call, c, rc);
    for (const char *p = sql; *skip_space(p);) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        rc = SQ.prepare_v3(c->db, p, -1, 0, &st, &tail);
        if (rc != SQLITE_OK) return sq_raise(call, c, rc);
        if (st && run_one(call, c, st)) return AIRLOCK_ERROR;
        if (!tail || tail == p) break;
        p = tail;
    }
    return airlock_call_return(call, airlock_value_new_none());
}
