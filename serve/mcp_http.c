/*
 * mcp_http.c - MCP over Streamable HTTP (protocol 2025-11-25): POST /mcp
 * carries one JSON-RPC message and is answered with JSON (or, for a client
 * that accepts only an event stream, one SSE event); DELETE /mcp ends a
 * session; GET /mcp is 405 (the server never starts a conversation).
 *
 * The protocol layer is the stdio server's (cli/mcp_proto.c, mcp_tools.c);
 * only the tools' backend differs: run_python goes through api_run, so an
 * MCP call is a JSON API exec with the same tenant, limits, store and
 * workers. `initialize` hands out an Mcp-Session-Id bound to the tenant; a
 * request that names an unknown id, or another tenant's, gets 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "mcp_internal.h"
#include "serve.h"

#define MAX_MCP_SESSIONS 4096
#define MCP_SESSION_IDLE 3600.0 /* seconds */

typedef struct mcp_session_id {
    char id[33];
    char tenant[SERVE_MAX_NAME + 1];
    double used;
} mcp_session_id;

struct mcp_http {
    server *srv;
    char *host_grants;     /* the runtime's words for plugins, env, sqlite, net */
    pthread_mutex_t lock;
    mcp_session_id ids[MAX_MCP_SESSIONS];
    size_t n;
};

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* What the server's flags grant beyond files, in the runtime's own words. */
static char *describe_host_grants(const cli_options *cli) {
    airlock_runtime *rt = NULL;
    char *text = NULL;
    if (airlock_runtime_new(&rt) == AIRLOCK_OK && plugins_apply(cli, rt) < 0)
        text = strdup(airlock_runtime_describe_grants(rt));
    airlock_runtime_free(rt);
    return text;
}

struct mcp_http *mcp_http_new(server *srv) {
    struct mcp_http *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->srv = srv;
    m->host_grants = describe_host_grants(&srv->cfg.cli);
    pthread_mutex_init(&m->lock, NULL);
    return m;
}

void mcp_http_free(struct mcp_http *m) {
    if (!m) return;
    free(m->host_grants);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* ---- session ids ---------------------------------------------------------------------------- */

static void expire_ids(struct mcp_http *m, double now) {
    for (size_t i = 0; i < m->n;)
        if (now - m->ids[i].used > MCP_SESSION_IDLE) m->ids[i] = m->ids[--m->n];
        else i++;
}

/* A new id for tenant; false when the table is full or randomness fails. */
static bool new_id(struct mcp_http *m, const char *tenant, char out[33]) {
    uint8_t raw[16];
    if (getrandom(raw, sizeof raw, 0) != sizeof raw) return false;
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", raw[i]);
    pthread_mutex_lock(&m->lock);
    double now = now_seconds();
    expire_ids(m, now);
    bool ok = m->n < MAX_MCP_SESSIONS;
    if (ok) {
        mcp_session_id *s = &m->ids[m->n++];
        snprintf(s->id, sizeof s->id, "%s", out);
        snprintf(s->tenant, sizeof s->tenant, "%s", tenant);
        s->used = now;
    }
    pthread_mutex_unlock(&m->lock);
    return ok;
}

/* Whether id is live and the tenant's; drop it too when `end`. */
static bool use_id(struct mcp_http *m, const char *id, const char *tenant, bool end) {
    pthread_mutex_lock(&m->lock);
    double now = now_seconds();
    expire_ids(m, now);
    bool found = false;
    for (size_t i = 0; i < m->n && !found; i++) {
        if (strcmp(m->ids[i].id, id) != 0 || strcmp(m->ids[i].tenant, tenant) != 0) continue;
        found = true;
        if (end) m->ids[i] = m->ids[--m->n];
        else m->ids[i].used = now;
    }
    pthread_mutex_unlock(&m->lock);
    return found;
}

/* ---- the tools' backend: the JSON API's exec --------------------------------------------------- */

typedef struct tenant_ctx {
    server *srv;
    const tenant_profile *t;
} tenant_ctx;

static json_t *backend_run(void *ctx, const char *code, size_t len, const char *session, bool *created, char **err) {
    tenant_ctx *c = ctx;
    reply r = {0};
    api_run(c->srv, c->t, code, len, session, NULL, &r);
    if (r.status != 200) {
        const char *why = json_string_value(json_object_get(r.body, "error"));
        *err = strdup(why ? why : "the exec failed");
        json_decref(r.body);
        return NULL;
    }
    json_t *s = json_object_get(r.body, "session");
    if (s) {
        json_int_t version = json_integer_value(json_object_get(s, "version"));
        bool saved = json_is_true(json_object_get(s, "saved"));
        *created = (saved ? version - 1 : version) == 0; /* the version it started from */
        json_object_del(r.body, "session");
    }
    return r.body;
}

static int backend_reset(void *ctx, const char *session, char **err) {
    tenant_ctx *c = ctx;
    int rc = server_store_del(c->srv, c->t->name, session);
    if (rc == STORE_OK) return 1;
    if (rc == STORE_MISSING) return 0;
    *err = strdup("the session store is unavailable");
    return -1;
}

/* ---- requests ------------------------------------------------------------------------------------ */

static bool wants_json(const char *accept) {
    return !accept || strstr(accept, "application/json") || strstr(accept, "*/*") || !strstr(accept, "text/event-stream");
}

/* The JSON-RPC answer, as JSON or as one server-sent event. */
static void answer(reply *r, json_t *msg, const char *accept) {
    r->status = 200;
    if (wants_json(accept)) {
        r->body = msg;
        return;
    }
    char *text = json_dumps(msg, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(msg);
    if (!text || asprintf(&r->text, "event: message\ndata: %s\n\n", text) < 0) r->text = NULL;
    free(text);
    r->content_type = "text/event-stream";
}

static void handle_post(struct mcp_http *m, const tenant_profile *t, const char *session_id, const char *accept,
                        const char *body, size_t len, reply *r) {
    json_t *msg = json_loadb(body, len, 0, NULL);
    const char *method = json_string_value(json_object_get(msg, "method"));
    bool is_initialize = method && strcmp(method, "initialize") == 0;
    if (!msg) {
        r->status = 400;
        r->body = rpc_error(NULL, RPC_PARSE_ERROR, "Parse error: the body is not JSON", NULL);
        return;
    }
    json_decref(msg);
    if (session_id && !use_id(m, session_id, t->name, false)) {
        r->status = 404;
        r->body = rpc_error(NULL, RPC_INVALID_REQUEST, "unknown or expired Mcp-Session-Id: initialize again", NULL);
        return;
    }
    tenant_ctx ctx = {m->srv, t};
    mcp_backend backend = {backend_run, backend_reset, &ctx};
    mcp_server ms = {.cfg = {.cli = m->srv->cfg.cli, .store_ttl = m->srv->cfg.session_ttl}, .backend = &backend,
                     .initialized = session_id != NULL};
    ms.cfg.cli.limits = t->limits;
    if (!t->grants) ms.cfg.cli.n_grants = 0;
    ms.run_description = mcp_run_description(&ms.cfg, t->grants ? m->host_grants : NULL);
    json_t *out = mcp_handle_line(&ms, body, len);
    free(ms.run_description);
    if (!out) {
        r->status = 202; /* a notification or a response: nothing to say */
        return;
    }
    char id[33];
    if (is_initialize && !json_object_get(out, "error")) {
        if (!new_id(m, t->name, id)) {
            json_decref(out);
            reply_error(r, 503, "too many MCP sessions");
            return;
        }
        snprintf(r->header_name, sizeof r->header_name, "Mcp-Session-Id");
        snprintf(r->header_value, sizeof r->header_value, "%s", id);
    }
    answer(r, out, accept);
}

void mcp_http_handle(struct mcp_http *m, const tenant_profile *t, const char *method, const char *session_id,
                     const char *accept, const char *body, size_t len, reply *r) {
    if (strcmp(method, "POST") == 0) {
        handle_post(m, t, session_id, accept, body, len, r);
    } else if (strcmp(method, "DELETE") == 0) {
        if (!session_id) reply_error(r, 400, "DELETE /mcp needs an Mcp-Session-Id");
        else if (!use_id(m, session_id, t->name, true)) reply_error(r, 404, "unknown or expired Mcp-Session-Id");
        else r->status = 204;
    } else {
        reply_error(r, 405, "this server sends no unprompted messages: POST requests to /mcp");
        snprintf(r->header_name, sizeof r->header_name, "Allow");
        snprintf(r->header_value, sizeof r->header_value, "POST, DELETE");
    }
}
