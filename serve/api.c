/*
 * api.c - the JSON API: POST /v1/exec {code, session?, guest?, limits?} and
 * DELETE /v1/sessions/NAME.
 *
 * An exec of a session reads the newest image and its version from the
 * store, runs on a worker, and writes the new image back only if the
 * stored version is still the one it read. The loser of two concurrent
 * execs of one session gets 409 and its changes are not kept (the client
 * retries on the winner's state): nothing is ever silently lost.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "serve.h"

#define WORKER_WAIT_SECONDS 10.0 /* for an idle worker, before 503 */
#define IMAGE_SLACK (1u << 20)   /* a session image is its memory plus a header */

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

bool api_valid_name(const char *name) {
    size_t n = strlen(name);
    if (n == 0 || n > SERVE_MAX_NAME) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i])) return false;
    return true;
}

static void retry_after(reply *r, int seconds) {
    snprintf(r->header_name, sizeof r->header_name, "Retry-After");
    snprintf(r->header_value, sizeof r->header_value, "%d", seconds);
}

/* ---- the store, locked and measured --------------------------------------------- */

static int timed(server *srv, double start, int rc) {
    metrics_store(srv->metrics, now_seconds() - start, rc == STORE_ERROR);
    if (rc == STORE_ERROR) serve_log("store: %s", srv->store->err);
    return rc;
}

int server_store_get(server *srv, const char *tenant, const char *name, void **data, size_t *len, uint64_t *v) {
    double t0 = now_seconds();
    pthread_mutex_lock(&srv->store_lock);
    int rc = srv->store->ops->get(srv->store, tenant, name, data, len, v);
    pthread_mutex_unlock(&srv->store_lock);
    return timed(srv, t0, rc);
}

static int store_put(server *srv, const tenant_profile *t, const char *name, const void *data, size_t len,
                     uint64_t expect, uint64_t *v) {
    store_quota q = {t->max_sessions, t->max_stored_bytes};
    double t0 = now_seconds();
    pthread_mutex_lock(&srv->store_lock);
    int rc = srv->store->ops->put(srv->store, t->name, name, data, len, expect, &q, v);
    pthread_mutex_unlock(&srv->store_lock);
    return timed(srv, t0, rc);
}

int server_store_del(server *srv, const char *tenant, const char *name) {
    double t0 = now_seconds();
    pthread_mutex_lock(&srv->store_lock);
    int rc = srv->store->ops->del(srv->store, tenant, name);
    pthread_mutex_unlock(&srv->store_lock);
    return timed(srv, t0, rc);
}

/* ---- exec ---------------------------------------------------------------------------- */

/* The tenant's ceilings, lowered (never raised) by what the request asks. */
static airlock_limits effective_limits(const tenant_profile *t, const airlock_limits *want) {
    airlock_limits l = t->limits;
    if (!want) return l;
    if (want->memory_bytes && want->memory_bytes < l.memory_bytes) l.memory_bytes = want->memory_bytes;
    if (want->fuel && (!l.fuel || want->fuel < l.fuel)) l.fuel = want->fuel;
    if (want->timeout_seconds > 0 && (!(l.timeout_seconds > 0) || want->timeout_seconds < l.timeout_seconds))
        l.timeout_seconds = want->timeout_seconds;
    if (want->max_output_bytes && want->max_output_bytes < l.max_output_bytes)
        l.max_output_bytes = want->max_output_bytes;
    if (want->output_overflow_stops) l.output_overflow_stops = 1;
    return l;
}

static const char *outcome_of(json_t *report) {
    if (json_is_true(json_object_get(report, "ok"))) return "ok";
    return json_is_string(json_object_get(report, "limit")) ? "limit" : "error";
}

/* Load the session's image for the job; false after setting the reply. */
static bool load_session(server *srv, const tenant_profile *t, const char *session, exec_job *job, void **image,
                         uint64_t *version, reply *r) {
    void *packed = NULL;
    size_t packed_len = 0;
    int rc = server_store_get(srv, t->name, session, &packed, &packed_len, version);
    if (rc == STORE_MISSING) {
        *version = 0;
        return true;
    }
    if (rc != STORE_OK) {
        reply_error(r, 503, "the session store is unavailable");
        retry_after(r, 1);
        return false;
    }
    /* a limit of 0 is the default limit, not none: a CPython image (every
     * page of its heap) is larger than the slack alone */
    uint64_t memory = job->limits.memory_bytes ? job->limits.memory_bytes : AIRLOCK_DEFAULT_MEMORY;
    *image = store_decompress(packed, packed_len, memory + IMAGE_SLACK, &job->image_len);
    free(packed);
    if (!*image) {
        reply_error(r, 500, "the stored session cannot be read (damaged, or larger than this tenant's memory limit)");
        return false;
    }
    job->image = *image;
    return true;
}

/* Keep the new image; false after setting the reply. */
static bool save_session(server *srv, const tenant_profile *t, const char *session, exec_outcome *out,
                         uint64_t read_version, uint64_t *new_version, reply *r) {
    size_t packed_len;
    void *packed = store_compress(out->image, out->image_len, &packed_len);
    if (!packed) {
        reply_error(r, 500, "out of memory compressing the session");
        return false;
    }
    int rc = store_put(srv, t, session, packed, packed_len, read_version, new_version);
    free(packed);
    if (rc == STORE_OK) return true;
    if (rc == STORE_CONFLICT) {
        reply_error(r, 409, "another exec changed this session first; this exec's changes were not kept: retry");
        json_object_set_new(r->body, "run", json_incref(out->report));
    } else if (rc == STORE_QUOTA) {
        reply_error(r, 429, "the tenant's session quota (count or stored bytes) is used up: delete a session");
        retry_after(r, 60);
    } else {
        reply_error(r, 503, "the session store is unavailable; the session is unchanged");
        retry_after(r, 1);
    }
    return false;
}

void api_run(server *srv, const tenant_profile *t, const char *code, size_t code_len, const char *session,
             const airlock_limits *req_limits, reply *r) {
    if (!usage_exec_begin(srv->usage, t)) {
        reply_error(r, 429, "too many execs of this tenant at once");
        retry_after(r, 1);
        return;
    }
    exec_job job = {code, code_len, effective_limits(t, req_limits), t->grants, NULL, 0, session != NULL};
    void *image = NULL;
    uint64_t version = 0, new_version = 0;
    double t0 = now_seconds();
    if (!session || load_session(srv, t, session, &job, &image, &version, r)) {
        exec_outcome out;
        srv->execs_running++;
        pool_run(srv->pool, &job, WORKER_WAIT_SECONDS, &out);
        srv->execs_running--;
        if (!out.report) {
            reply_error(r, 503, out.failure);
            retry_after(r, 1);
            metrics_exec(srv->metrics, "failed", NULL, now_seconds() - t0);
        } else {
            json_t *limit = json_object_get(out.report, "limit");
            metrics_exec(srv->metrics, outcome_of(out.report), json_string_value(limit), now_seconds() - t0);
            if (!out.image || save_session(srv, t, session, &out, version, &new_version, r)) {
                r->status = 200;
                r->body = json_incref(out.report);
                if (session)
                    json_object_set_new(r->body, "session",
                                        json_pack("{s:s, s:I, s:b}", "name", session, "version",
                                                  (json_int_t)(out.image ? new_version : version), "saved",
                                                  out.image != NULL));
            }
        }
        json_decref(out.report);
        free(out.image);
    }
    free(image);
    usage_exec_end(srv->usage, t);
}

/* limits: {memory, fuel, timeout, max_output, output_stops}; false on a
 * malformed object. */
static bool parse_limits(json_t *j, airlock_limits *l, char *why, size_t n) {
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        bool number = json_is_number(v) && json_number_value(v) >= 0;
        if (strcmp(key, "memory") == 0 && number) l->memory_bytes = (uint64_t)json_number_value(v);
        else if (strcmp(key, "fuel") == 0 && number) l->fuel = (uint64_t)json_number_value(v);
        else if (strcmp(key, "timeout") == 0 && number) l->timeout_seconds = json_number_value(v);
        else if (strcmp(key, "max_output") == 0 && number) l->max_output_bytes = (uint64_t)json_number_value(v);
        else if (strcmp(key, "output_stops") == 0 && json_is_boolean(v)) l->output_overflow_stops = json_is_true(v);
        else return snprintf(why, n, "limits.%s: unknown, or not a non-negative number", key), false;
    }
    return true;
}

void api_exec(server *srv, const tenant_profile *t, const char *body, size_t len, reply *r) {
    json_error_t jerr;
    json_t *req = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr), *code = NULL;
    char why[256] = "";
    airlock_limits want = {.size = sizeof(airlock_limits)};
    const char *session = NULL, *key;
    airlock_guest_info g = {.size = sizeof g};
    airlock_guest_info_of(srv->cfg.cli.guest, &g); /* checked when the options were parsed */
    const char *guest = g.name;
    json_t *v;
    if (!req) snprintf(why, sizeof why, "the body is not JSON: %s (line %d, column %d)", jerr.text, jerr.line, jerr.column);
    else if (!json_is_object(req)) snprintf(why, sizeof why, "the body must be a JSON object");
    else json_object_foreach(req, key, v) {
        if (strcmp(key, "code") == 0 && json_is_string(v)) code = v;
        else if (strcmp(key, "session") == 0 && json_is_string(v) && api_valid_name(json_string_value(v)))
            session = json_string_value(v);
        else if (strcmp(key, "session") == 0 && json_is_null(v)) session = NULL;
        else if (strcmp(key, "guest") == 0 && json_is_string(v) && strcmp(json_string_value(v), guest) == 0) {
        } else if (strcmp(key, "guest") == 0)
            snprintf(why, sizeof why, "guest: this server runs \"%s\" only (airlock serve --guest chooses)", guest);
        else if (strcmp(key, "limits") == 0 && json_is_object(v)) parse_limits(v, &want, why, sizeof why);
        else if (strcmp(key, "session") == 0)
            snprintf(why, sizeof why, "session: a name of 1-128 characters from A-Z a-z 0-9 _ . -");
        else snprintf(why, sizeof why, "%s: unknown field, or of the wrong type", key);
        if (*why) break;
    }
    if (!*why && req && !code) snprintf(why, sizeof why, "code: required (a string of Python source)");
    if (!*why && session && !g.sessions)
        snprintf(why, sizeof why, "session: the %s guest this server runs cannot keep sessions yet", guest);
    if (*why) reply_error(r, 400, why);
    else api_run(srv, t, json_string_value(code), json_string_length(code), session, &want, r);
    json_decref(req);
}

void api_delete_session(server *srv, const tenant_profile *t, const char *name, reply *r) {
    if (!api_valid_name(name)) {
        reply_error(r, 400, "a session name is 1-128 characters from A-Z a-z 0-9 _ . -");
        return;
    }
    int rc = server_store_del(srv, t->name, name);
    if (rc == STORE_OK) r->status = 204;
    else if (rc == STORE_MISSING) reply_error(r, 404, "no such session");
    else reply_error(r, 503, "the session store is unavailable");
}
