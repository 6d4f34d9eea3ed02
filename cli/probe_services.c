/*
 * probe_services.c - `airlock probe` checks of the grants served by
 * built-in plugins: --allow-sqlite and --allow-net.
 *
 * A database grant is used the way guest code would use it, and the host
 * opens the same file to compare; a write happens only inside a
 * transaction that is rolled back, so the probe never changes the user's
 * data. A network grant is exercised with one GET to the granted origin:
 * the policy must let it through (any HTTP answer, or a network error from
 * an origin that is down); a PermissionError means the grant does not work.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib_sqlite.h"
#include "probe_internal.h"

/* Tables in the database as the host sees it; -1 if it cannot be read. */
static long host_table_count(const char *path) {
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long n = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "select count(*) from sqlite_master", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

/* Guest: count the tables, then write inside a transaction and roll back. */
static void sqlite_body(char *body, size_t n, const char *path, const char *tag) {
    char l1[2 * 4096 + 8];
    snprintf(body, n,
             "import sqlite3\nc = sqlite3.connect(%s)\n"
             "print('TABLES', c.execute('select count(*) from sqlite_master').fetchone()[0])\n"
             "def _w():\n"
             "    c.execute('begin')\n"
             "    try:\n"
             "        c.execute('create table airlock_probe_%s (x)')\n"
             "        c.execute('insert into airlock_probe_%s values (1)')\n"
             "        return c.execute('select count(*) from airlock_probe_%s').fetchone()[0]\n"
             "    finally:\n"
             "        c.rollback()\n"
             "_try('write', _w)\n",
             probe_lit(path, l1, sizeof l1), tag, tag, tag);
}

static void check_sqlite(probe_ctx *c, const char *spec) {
    char path[4096], tag[17], body[CODE_MAX], got[64];
    bool rw = false;
    probe_row *r = probe_add(c, "works", "--allow-sqlite %s", spec);
    struct stat st;
    if (!sqlite_spec(spec, path, sizeof path, &rw)) return probe_set(r, VERDICT_FAIL, "path too long");
    if (stat(path, &st) != 0) return probe_set(r, VERDICT_SKIP, "no database there yet: nothing to check without creating it");
    long before = host_table_count(path);
    probe_random_hex(tag, 16);
    sqlite_body(body, sizeof body, path, tag);
    char *out = malloc(PROBE_OUT);
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    probe_guest_run(c, body, out);
    long after = host_table_count(path);
    long seen = strtol(probe_line_after(out, "TABLES ", got, sizeof got), NULL, 10);
    if (!probe_has_line(out, "TABLES ") || seen != before)
        probe_set(r, VERDICT_FAIL, "the guest does not read it as the host does: %.200s", out);
    else if (after != before) probe_set(r, VERDICT_FAIL, "the database changed (%ld tables, was %ld)", after, before);
    else if (rw && !probe_has_line(out, "write ok 1")) probe_set(r, VERDICT_FAIL, "writing failed: %.200s", out);
    else if (!rw && !probe_has_line(out, "write denied")) probe_set(r, VERDICT_FAIL, "a write was not refused: %.200s", out);
    else probe_set(r, VERDICT_PASS, "read %ld tables as the host does; %s", seen,
                   rw ? "a write in a rolled-back transaction worked" : "writing refused");
    free(out);
}

/* "HOST[:PORT][:private]" -> the URL the guest asks for: https only for
 * port 443. */
static void origin_url(const char *grant, char *url, size_t n) {
    char spec[300];
    size_t len = strlen(grant), suffix = strlen(":private");
    if (len > suffix && strcmp(grant + len - suffix, ":private") == 0) len -= suffix;
    snprintf(spec, sizeof spec, "%.*s", (int)len, grant);
    const char *colon = spec[0] == '[' ? strstr(spec, "]:") : strrchr(spec, ':');
    if (colon && spec[0] == '[') colon++;
    bool https = colon && strcmp(colon, ":443") == 0;
    snprintf(url, n, "%s://%s/", https ? "https" : "http", spec);
}

static void check_net(probe_ctx *c, const char *spec) {
    char url[600], body[CODE_MAX], l1[1300], answer[200];
    probe_row *r = probe_add(c, "works", "--allow-net %s", spec);
    origin_url(spec, url, sizeof url);
    snprintf(body, sizeof body,
             "def _g():\n    import requests\n    return requests.get(%s, timeout=5).status_code\n_try('get', _g)\n",
             probe_lit(url, l1, sizeof l1));
    char *out = malloc(PROBE_OUT);
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    probe_guest_run(c, body, out);
    if (probe_has_line(out, "get ok "))
        probe_set(r, VERDICT_PASS, "GET %s: HTTP %s", url, probe_line_after(out, "get ok ", answer, sizeof answer));
    else if (probe_has_line(out, "get denied PermissionError") || !probe_has_line(out, "get denied "))
        probe_set(r, VERDICT_FAIL, "GET %s refused: %.200s", url, out);
    else
        probe_set(r, VERDICT_PASS, "GET %s allowed; the origin did not answer (%s)", url,
                  probe_line_after(out, "get denied ", answer, sizeof answer));
    free(out);
}

void check_service_grants(probe_ctx *c) {
    for (int i = 0; i < c->opt.n_sqlite; i++) check_sqlite(c, c->opt.sqlite[i]);
    for (int i = 0; i < c->opt.n_net; i++) check_net(c, c->opt.net[i]);
}
