/*
 * serve.h - `airlock serve`: sandboxes as a network service (internal).
 *
 * One process listens (libmicrohttpd) and owns the session store; a fixed
 * pool of worker processes, each confined by the OS sandbox, runs the
 * Python. Workers never touch the network or the store: the listener hands
 * each one the code and the session image, and gets back the run's JSON
 * object and the new image. So a worker that dies loses only the exec in
 * flight, and the store only ever holds images of successful runs.
 *
 *   serve.c       command line, start-up, signals, shutdown
 *   http.c        the HTTP layer: bodies, routing, authentication, replies
 *   api.c         POST /v1/exec and DELETE /v1/sessions/NAME
 *   mcp_http.c    MCP over Streamable HTTP (POST/DELETE /mcp)
 *   tenants.c     the token file, profiles, quotas and rate limits
 *   workers.c     the worker pool (listener side) and the worker loop
 *   ipc.c         framing between the listener and its workers
 *   store.c       the store interface, compression, the SQLite backend
 *   store_redis.c the Redis backend
 *   metrics.c     counters and histograms, Prometheus text format
 */
#ifndef AIRLOCK_SERVE_H
#define AIRLOCK_SERVE_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "airlock.h"
#include "options.h"

#define SERVE_DEFAULT_PORT 8470
#define SERVE_DEFAULT_MAX_BODY (1u << 20)
#define SERVE_DEFAULT_SESSION_TTL 86400.0 /* seconds */
#define SERVE_MAX_NAME 128                /* session and tenant names */
#define SERVE_MAX_WORKERS 64

int serve_main(int argc, char **argv);
/* The worker process: `airlock serve --worker-fd N [server flags]`. */
int serve_worker_main(const cli_options *cli, int fd);

/* ---- configuration ------------------------------------------------------- */

typedef struct serve_config {
    cli_options cli;           /* limits and grants: every tenant's ceiling */
    char **argv;               /* the flags as given, handed to workers */
    int argc;
    const char *listen;        /* HOST:PORT */
    const char *unix_path;     /* optional Unix socket */
    const char *tokens_file;   /* NULL: no authentication (loopback only) */
    const char *store_url;     /* sqlite:PATH or redis://HOST[:PORT][/DB] */
    int workers;
    size_t max_body;
    double session_ttl;
    int threads;               /* HTTP connections served at once */
} serve_config;

/* ---- tenants (tenants.c) -------------------------------------------------- */

/* What a token may do. Zero in a quota means "no limit" beyond the
 * server's; limits are ceilings a request can lower, never raise. */
typedef struct tenant_profile {
    char name[SERVE_MAX_NAME + 1];
    uint8_t token_hash[32];    /* sha256 of the bearer token */
    airlock_limits limits;
    bool grants;               /* the server's grants (false: none) */
    uint32_t max_concurrent;   /* execs at once */
    uint32_t max_sessions;
    uint64_t max_stored_bytes; /* compressed session images */
    uint32_t requests_per_minute;
} tenant_profile;

typedef struct tenants tenants;

/* Load the token file (see serve --help); NULL with a message in err. */
tenants *tenants_load(const char *path, const airlock_limits *ceiling, char *err, size_t errsize);
void tenants_free(tenants *t);
/* The profile whose token hashes to the same sha256 (constant-time
 * comparison of hashes), or NULL. */
const tenant_profile *tenants_find(const tenants *t, const char *token);
/* A table of one profile, used without authentication, and its entry. */
tenants *tenants_anonymous(const airlock_limits *ceiling);
const tenant_profile *tenants_first(const tenants *t);
/* Hex sha256 of a token, for writing the file (65 bytes). */
void tenants_hash_hex(const char *token, char out[65]);
/* sha256.c: SHA-256 of len bytes; a comparison that reads all n bytes. */
void sha256(const void *data, size_t len, uint8_t out[32]);
bool equal_in_constant_time(const uint8_t *a, const uint8_t *b, size_t n);

/* Per-tenant counters that live across reloads of the token file. */
typedef struct tenant_usage tenant_usage;
tenant_usage *usage_new(void);
void usage_free(tenant_usage *u);
/* Take a request slot: 0, or the seconds to wait (429 Retry-After). */
int usage_admit(tenant_usage *u, const tenant_profile *p);
/* Take and give back an exec slot; false when max_concurrent are running. */
bool usage_exec_begin(tenant_usage *u, const tenant_profile *p);
void usage_exec_end(tenant_usage *u, const tenant_profile *p);

/* ---- the store (store.c, store_redis.c) ------------------------------------ */

typedef struct store store;

enum { STORE_OK = 0, STORE_MISSING = 1, STORE_CONFLICT = 2, STORE_QUOTA = 3, STORE_ERROR = -1 };

typedef struct store_quota {
    uint32_t max_sessions;     /* 0: none */
    uint64_t max_bytes;        /* 0: none */
} store_quota;

typedef struct store_ops {
    /* The newest image of (tenant, name): *data (malloc'd, compressed) and
     * its version; STORE_MISSING when there is none. */
    int (*get)(store *s, const char *tenant, const char *name, void **data, size_t *len, uint64_t *version);
    /* Write the image if the stored version is still `expect` (0: the
     * session must not exist); *version gets the new one. STORE_CONFLICT
     * when another writer won, STORE_QUOTA when the tenant's quota would be
     * exceeded. The TTL starts again. */
    int (*put)(store *s, const char *tenant, const char *name, const void *data, size_t len, uint64_t expect,
               const store_quota *q, uint64_t *version);
    int (*del)(store *s, const char *tenant, const char *name);
    /* Sessions alive in the whole store (for /metrics), or -1. */
    int64_t (*count)(store *s);
    void (*close)(store *s);
} store_ops;

struct store {
    const store_ops *ops;
    double ttl;
    char err[256];
};

/* Open the store named by url; NULL with a message in err. */
store *store_open(const char *url, double ttl, char *err, size_t errsize);
store *store_open_sqlite(const char *path, double ttl, char *err, size_t errsize);
store *store_open_redis(const char *url, double ttl, char *err, size_t errsize);

/* zstd; NULL on failure. decompress refuses images larger than max. */
void *store_compress(const void *data, size_t len, size_t *out_len);
void *store_decompress(const void *data, size_t len, size_t max, size_t *out_len);

/* ---- workers (workers.c, ipc.c) --------------------------------------------- */

typedef struct worker_pool worker_pool;

typedef struct exec_job {
    const char *code;
    size_t code_len;
    airlock_limits limits;
    bool grants;               /* the tenant may use the server's grants */
    const void *image;         /* session to start from; NULL: fresh */
    size_t image_len;
    bool want_image;           /* send back the new session image */
} exec_job;

typedef struct exec_outcome {
    json_t *report;            /* the --json object; NULL if the worker failed */
    void *image;               /* new session image (malloc'd) or NULL */
    size_t image_len;
    const char *failure;       /* why there is no report */
} exec_outcome;

worker_pool *pool_start(const serve_config *cfg, char *err, size_t errsize);
/* Run a job on an idle worker (waiting for one at most wait_seconds). */
void pool_run(worker_pool *p, const exec_job *job, double wait_seconds, exec_outcome *out);
int pool_size(const worker_pool *p);
uint64_t pool_restarts(const worker_pool *p);
/* Replace dead workers (called from the main loop). */
void pool_reap(worker_pool *p);
void pool_stop(worker_pool *p);

/* Frames: a u32 length and that many bytes. */
bool ipc_send(int fd, const void *a, uint32_t alen, const void *b, uint32_t blen);
/* Read two frames into malloc'd buffers (NUL-terminated for convenience);
 * false on end of file, error or a frame over max bytes. */
bool ipc_recv(int fd, char **a, uint32_t *alen, char **b, uint32_t *blen, uint32_t max);
/* The worker's receipt of a job (sent before running it), and the
 * listener's wait for it: false if the worker ended first. */
bool ipc_ack(int fd);
bool ipc_wait_ack(int fd);

/* ---- metrics (metrics.c) ------------------------------------------------------ */

typedef struct metrics metrics;
metrics *metrics_new(void);
void metrics_free(metrics *m);
void metrics_exec(metrics *m, const char *outcome, const char *limit, double seconds);
void metrics_store(metrics *m, double seconds, bool error);
void metrics_http(metrics *m, unsigned status);
/* The Prometheus text exposition; malloc'd. */
char *metrics_render(metrics *m, int64_t sessions_live, int running, int workers, uint64_t restarts);

/* ---- the server ---------------------------------------------------------------- */

typedef struct server {
    serve_config cfg;
    pthread_rwlock_t tenants_lock; /* reloads swap `tenants` under it */
    tenants *tenants;
    tenant_usage *usage;
    store *store;
    pthread_mutex_t store_lock;
    worker_pool *pool;
    metrics *metrics;
    struct mcp_http *mcp;
    struct MHD_Daemon *daemon, *unix_daemon;
    _Atomic int in_flight;         /* HTTP requests being answered */
    _Atomic int execs_running;     /* of which execs on a worker */
    _Atomic bool stopping;
} server;

/* A reply: status, JSON body (stolen), extra header or NULL. */
typedef struct reply {
    unsigned status;
    json_t *body;
    char *text;                /* a non-JSON body (metrics), malloc'd */
    const char *content_type;
    char header_name[32], header_value[128];
} reply;

void reply_error(reply *r, unsigned status, const char *message);

/* POST /v1/exec (api.c). */
void api_exec(server *srv, const tenant_profile *t, const char *body, size_t len, reply *r);
/* DELETE /v1/sessions/NAME (api.c). */
void api_delete_session(server *srv, const tenant_profile *t, const char *name, reply *r);
/* Run code for tenant t in session (NULL: stateless), as the JSON API
 * does; the reply's body is the --json object (api.c, used by MCP too). */
void api_run(server *srv, const tenant_profile *t, const char *code, size_t code_len, const char *session,
             const airlock_limits *req_limits, reply *r);
/* A session name is 1-128 of [A-Za-z0-9_.-]. */
bool api_valid_name(const char *name);

/* Store calls with the store lock and metrics around them (api.c). */
int server_store_get(server *srv, const char *tenant, const char *name, void **data, size_t *len, uint64_t *v);
int server_store_del(server *srv, const char *tenant, const char *name);

/* MCP over Streamable HTTP (mcp_http.c). */
struct mcp_http *mcp_http_new(server *srv);
void mcp_http_free(struct mcp_http *m);
/* One request to /mcp; session_id is the Mcp-Session-Id header or NULL. */
void mcp_http_handle(struct mcp_http *m, const tenant_profile *t, const char *method, const char *session_id,
                     const char *accept, const char *body, size_t len, reply *r);

/* Start the HTTP daemons (http.c); false with a message in err. */
bool http_start(server *srv, char *err, size_t errsize);
void http_quiesce(server *srv);
void http_stop(server *srv);

void serve_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
