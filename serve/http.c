/*
 * http.c - the HTTP layer on libmicrohttpd: one thread per connection
 * (handlers block while a worker runs the code), bodies collected up to a
 * cap, routes, bearer-token authentication, JSON replies.
 *
 *   GET    /healthz               liveness, no token needed
 *   GET    /metrics               Prometheus text, no token needed (aggregates only)
 *   POST   /v1/exec               run code (api.c)
 *   DELETE /v1/sessions/NAME      forget a session (api.c)
 *   POST   /mcp, DELETE /mcp      MCP over Streamable HTTP (mcp_http.c)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "mhd.h"
#include "serve.h"

#define DISCARD_FACTOR 16 /* an over-long body is read and dropped up to this many caps, then cut */

typedef struct request {
    char *body;
    size_t len, cap;
    size_t dropped;
    bool too_big;
} request;

void reply_error(reply *r, unsigned status, const char *message) {
    r->status = status;
    json_decref(r->body);
    r->body = json_pack("{s:s}", "error", message ? message : "error");
}

/* ---- replies ------------------------------------------------------------------------- */

static enum MHD_Result send_reply(server *srv, struct MHD_Connection *c, reply *r) {
    char *text = r->text;
    const char *type = r->content_type ? r->content_type : "application/json";
    if (!text && r->body) text = json_dumps(r->body, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
    if (!text) text = strdup("");
    size_t len = text ? strlen(text) : 0;
    if (r->body && text && (text = realloc(text, len + 2))) text[len++] = '\n', text[len] = '\0';
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        json_decref(r->body);
        return MHD_NO;
    }
    if (len) MHD_add_response_header(resp, "Content-Type", type);
    if (r->header_name[0]) MHD_add_response_header(resp, r->header_name, r->header_value);
    if (r->status == 401) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"airlock\"");
    enum MHD_Result rc = MHD_queue_response(c, r->status ? r->status : 500, resp);
    MHD_destroy_response(resp);
    metrics_http(srv->metrics, r->status);
    json_decref(r->body);
    return rc;
}

/* ---- authentication ------------------------------------------------------------------- */

/* Copy the caller's profile into *out; false if the token is missing or
 * wrong. A copy, so that a reload of the token file cannot pull the
 * profile away from a request in flight. */
static bool authenticate(server *srv, struct MHD_Connection *c, tenant_profile *out) {
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    pthread_rwlock_rdlock(&srv->tenants_lock);
    const tenant_profile *p = NULL;
    if (!srv->cfg.tokens_file) p = tenants_first(srv->tenants);
    else if (auth && strncasecmp(auth, "Bearer ", 7) == 0) p = tenants_find(srv->tenants, auth + 7);
    if (p) *out = *p;
    pthread_rwlock_unlock(&srv->tenants_lock);
    return p != NULL;
}

/* ---- routing ---------------------------------------------------------------------------- */

static void route(server *srv, struct MHD_Connection *c, const char *url, const char *method, request *rq,
                  reply *r) {
    bool get = strcmp(method, "GET") == 0, post = strcmp(method, "POST") == 0, del = strcmp(method, "DELETE") == 0;
    if (strcmp(url, "/healthz") == 0 && get) {
        r->status = srv->stopping ? 503 : 200;
        r->body = json_pack("{s:s, s:i}", "status", srv->stopping ? "stopping" : "ok", "workers", pool_size(srv->pool));
        return;
    }
    if (strcmp(url, "/metrics") == 0 && get) {
        pthread_mutex_lock(&srv->store_lock);
        int64_t live = srv->store->ops->count(srv->store);
        pthread_mutex_unlock(&srv->store_lock);
        r->status = 200;
        r->text = metrics_render(srv->metrics, live, srv->execs_running, pool_size(srv->pool), pool_restarts(srv->pool));
        r->content_type = "text/plain; version=0.0.4";
        return;
    }
    bool exec = strcmp(url, "/v1/exec") == 0, sessions = strncmp(url, "/v1/sessions/", 13) == 0,
         mcp = strcmp(url, "/mcp") == 0;
    tenant_profile t;
    int wait = 0;
    if (!exec && !sessions && !mcp) reply_error(r, 404, "no such endpoint");
    else if ((exec && !post) || (sessions && !del)) reply_error(r, 405, "method not allowed here");
    else if (!authenticate(srv, c, &t)) reply_error(r, 401, "a valid bearer token is required");
    else if ((wait = usage_admit(srv->usage, &t))) {
        reply_error(r, 429, "too many requests for this tenant");
        snprintf(r->header_name, sizeof r->header_name, "Retry-After");
        snprintf(r->header_value, sizeof r->header_value, "%d", wait);
    } else if (rq->too_big) reply_error(r, 413, "the request body is larger than the server accepts");
    else if (srv->stopping) reply_error(r, 503, "the server is shutting down");
    else if (exec) api_exec(srv, &t, rq->body ? rq->body : "", rq->len, r);
    else if (sessions) api_delete_session(srv, &t, url + 13, r);
    else
        mcp_http_handle(srv->mcp, &t, method, MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Mcp-Session-Id"),
                        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT),
                        rq->body ? rq->body : "", rq->len, r);
}

/* ---- the request life cycle ------------------------------------------------------------ */

static bool append(request *rq, const char *data, size_t n, size_t max) {
    if (rq->too_big || rq->len + n > max) {
        rq->too_big = true;
        rq->dropped += n;
        return rq->dropped <= max * DISCARD_FACTOR;
    }
    if (rq->len + n + 1 > rq->cap) {
        size_t cap = rq->cap ? rq->cap : 4096;
        while (cap < rq->len + n + 1) cap *= 2;
        char *more = realloc(rq->body, cap);
        if (!more) return false;
        rq->body = more;
        rq->cap = cap;
    }
    memcpy(rq->body + rq->len, data, n);
    rq->len += n;
    rq->body[rq->len] = '\0';
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **con_cls) {
    (void)version;
    server *srv = cls;
    request *rq = *con_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq) return MHD_NO;
        *con_cls = rq;
        const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (length && strtoull(length, NULL, 10) > srv->cfg.max_body) rq->too_big = true;
        return MHD_YES;
    }
    if (*upload_size) {
        bool ok = append(rq, upload, *upload_size, srv->cfg.max_body);
        *upload_size = 0;
        return ok ? MHD_YES : MHD_NO;
    }
    srv->in_flight++;
    reply r = {0};
    route(srv, c, url, method, rq, &r);
    enum MHD_Result rc = send_reply(srv, c, &r);
    srv->in_flight--;
    return rc;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why) {
    (void)cls, (void)c, (void)why;
    request *rq = *con_cls;
    if (rq) free(rq->body);
    free(rq);
    *con_cls = NULL;
}

/* ---- listening -------------------------------------------------------------------------- */

/* "HOST:PORT", "[V6]:PORT" or ":PORT" into an address. */
static bool resolve_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t n) {
    char host[256] = "127.0.0.1";
    const char *colon = strrchr(spec, ':');
    if (!colon || !colon[1]) return snprintf(err, n, "--listen wants HOST:PORT, not '%s'", spec), false;
    size_t hl = (size_t)(colon - spec);
    if (hl >= sizeof host) return snprintf(err, n, "--listen: host too long"), false;
    if (hl) {
        const char *h = spec;
        if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') h++, hl -= 2;
        memcpy(host, h, hl);
        host[hl] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
    int rc = getaddrinfo(host, colon + 1, &hints, &res);
    if (rc) return snprintf(err, n, "--listen %s: %s", spec, gai_strerror(rc)), false;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

static int unix_listener(const char *path, char *err, size_t n) {
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof sa.sun_path) return snprintf(err, n, "--unix: path too long"), -1;
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(path); /* a stale socket from an earlier run */
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 128) != 0) {
        snprintf(err, n, "--unix %s: %s", path, strerror(errno));
        if (fd >= 0) close(fd);
        return -1;
    }
    return fd;
}

static struct MHD_Daemon *start_daemon(server *srv, unsigned flags, enum MHD_OPTION where, const void *arg) {
    flags |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (where == MHD_OPTION_SOCK_ADDR)
        return MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR, arg,
                                MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_LIMIT,
                                (unsigned)srv->cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_LISTEN_SOCKET, *(const int *)arg,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)srv->cfg.threads, MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
}

bool http_start(server *srv, char *err, size_t errsize) {
    struct sockaddr_storage ss;
    socklen_t sl;
    if (!mhd_api_open(err, errsize) || !resolve_listen(srv->cfg.listen, &ss, &sl, err, errsize)) return false;
    srv->daemon = start_daemon(srv, ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0, MHD_OPTION_SOCK_ADDR, &ss);
    if (!srv->daemon) return snprintf(err, errsize, "cannot listen on %s", srv->cfg.listen), false;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    char addr[INET6_ADDRSTRLEN] = "?";
    void *raw = ss.ss_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
                                         : (void *)&((struct sockaddr_in *)&ss)->sin_addr;
    inet_ntop(ss.ss_family, raw, addr, sizeof addr);
    serve_log("listening on http://%s%s%s:%u", ss.ss_family == AF_INET6 ? "[" : "", addr,
              ss.ss_family == AF_INET6 ? "]" : "", info ? info->port : 0);
    if (srv->cfg.unix_path) {
        int fd = unix_listener(srv->cfg.unix_path, err, errsize);
        if (fd < 0) return false;
        srv->unix_daemon = start_daemon(srv, 0, MHD_OPTION_LISTEN_SOCKET, &fd);
        if (!srv->unix_daemon) {
            close(fd);
            return snprintf(err, errsize, "cannot serve on %s", srv->cfg.unix_path), false;
        }
        serve_log("listening on unix:%s", srv->cfg.unix_path);
    }
    return true;
}

/* Stop accepting connections; those open go on until their requests end. */
void http_quiesce(server *srv) {
    struct MHD_Daemon *d[] = {srv->daemon, srv->unix_daemon};
    for (int i = 0; i < 2; i++) {
        if (!d[i]) continue;
        MHD_socket fd = MHD_quiesce_daemon(d[i]);
        if (fd != MHD_INVALID_SOCKET) close(fd);
    }
}

void http_stop(server *srv) {
    if (srv->daemon) MHD_stop_daemon(srv->daemon);
    if (srv->unix_daemon) MHD_stop_daemon(srv->unix_daemon);
    if (srv->cfg.unix_path) unlink(srv->cfg.unix_path);
    srv->daemon = srv->unix_daemon = NULL;
}
