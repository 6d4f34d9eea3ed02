/*
 * serve.c - `airlock serve`: command line, start-up, signals, shutdown.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "serve.h"

static const char serve_usage[] =
    "usage: airlock serve [options]\n"
    "\n"
    "Serve sandboxes over HTTP: a JSON API, and MCP over Streamable HTTP. One\n"
    "listening process keeps the sessions in a store; a pool of worker\n"
    "processes, each confined by the OS sandbox, runs the Python. Workers never\n"
    "touch the network or the store.\n"
    "\n"
    "  POST   /v1/exec            {\"code\", \"session\"?, \"guest\"?, \"limits\"?} -> the\n"
    "                             object of `airlock --json`, plus \"session\"\n"
    "  DELETE /v1/sessions/NAME   forget a session\n"
    "  POST   /mcp                MCP 2025-11-25 (tools run_python, reset_session);\n"
    "                             DELETE /mcp ends an Mcp-Session-Id\n"
    "  GET    /healthz, /metrics  liveness; Prometheus metrics\n"
    "\n"
    "Listening:\n"
    "  --listen HOST:PORT     TCP address (default 127.0.0.1:%d; port 0 picks one)\n"
    "  --unix PATH            also listen on a Unix socket\n"
    "  --max-connections N    connections served at once (default 256)\n"
    "  --max-body SIZE        largest request body (default 1M); larger: 413\n"
    "\n"
    "Tenants:\n"
    "  --tokens FILE          bearer tokens, one tenant per line (reloaded on\n"
    "                         SIGHUP): NAME SHA256 [key=value ...] with keys\n"
    "                         memory= fuel= timeout= max_output= (ceilings below\n"
    "                         the server's), concurrent= sessions= stored= rpm=\n"
    "                         (quotas), grants=server|none. Without --tokens every\n"
    "                         request is one anonymous tenant, allowed only on a\n"
    "                         loopback address or a Unix socket.\n"
    "  --hash-token           read a token on stdin, print its SHA256 for FILE\n"
    "\n"
    "Sessions and workers:\n"
    "  --store URL            sqlite:PATH (default sqlite:airlock-sessions.db, WAL)\n"
    "                         or redis://HOST[:PORT][/DB] for many machines\n"
    "  --session-ttl SECONDS  a session lives this long after its last successful\n"
    "                         exec (default %g)\n"
    "  --workers N            worker processes (default: one per core)\n"
    "\n"
    "Every exec has the limits and grants of `airlock --help` (--memory, --fuel,\n"
    "--timeout, --max-output, --output-stops, --allow-read, --allow-write,\n"
    "--mount, --scratch, --allow-env, --allow-sqlite, --allow-net, --plugin,\n"
    "--deterministic, --seed, --audit, --guest, --no-compat, --no-os-sandbox);\n"
    "they are the ceiling of every tenant. SIGTERM finishes the execs in flight and exits.\n";

void serve_log(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_vline("airlock serve", fmt, ap);
    va_end(ap);
}

/* ---- command line --------------------------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg) {
    fprintf(stderr, "airlock serve: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nTry 'airlock serve --help'.\n");
    return EXIT_USAGE;
}

/* The value of option `name` at argv[*i] ("--name V" or "--name=V"), or NULL. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n]) return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static bool parse_int(const char *v, long min, long max, long *out) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) return false;
    *out = n;
    return true;
}

typedef struct serve_args {
    int worker_fd;
    bool hash_token;
} serve_args;

/* One serve-only option at argv[*i]: 1 taken, 0 not ours, or an exit status + 2. */
static int serve_option(int argc, char **argv, int *i, serve_config *cfg, serve_args *a) {
    bool missing = false;
    const char *v;
    long n;
    uint64_t size;
    if (strcmp(argv[*i], "--hash-token") == 0) a->hash_token = true;
    else if ((v = option_value(argc, argv, i, "--listen", &missing))) cfg->listen = v;
    else if ((v = option_value(argc, argv, i, "--unix", &missing))) cfg->unix_path = v;
    else if ((v = option_value(argc, argv, i, "--tokens", &missing))) cfg->tokens_file = v;
    else if ((v = option_value(argc, argv, i, "--store", &missing))) cfg->store_url = v;
    else if ((v = option_value(argc, argv, i, "--workers", &missing))) {
        if (!parse_int(v, 1, SERVE_MAX_WORKERS, &n)) return 2 + usage_error("--workers: '%s' is not 1-64", v);
        cfg->workers = (int)n;
    } else if ((v = option_value(argc, argv, i, "--max-connections", &missing))) {
        if (!parse_int(v, 1, 65536, &n)) return 2 + usage_error("--max-connections: '%s' is not 1-65536", v);
        cfg->threads = (int)n;
    } else if ((v = option_value(argc, argv, i, "--max-body", &missing))) {
        if (!parse_size(v, &size) || size < 1 || size > (1u << 30))
            return 2 + usage_error("--max-body: '%s' is not a size from 1 to 1G", v);
        cfg->max_body = (size_t)size;
    } else if ((v = option_value(argc, argv, i, "--session-ttl", &missing))) {
        char *end;
        double s = strtod(v, &end);
        if (end == v || *end || !(s >= 1) || s > 1e8) return 2 + usage_error("--session-ttl: '%s' is not 1 s or more", v);
        cfg->session_ttl = s;
    } else if ((v = option_value(argc, argv, i, "--worker-fd", &missing))) {
        if (!parse_int(v, 3, 1 << 20, &n)) return 2 + usage_error("--worker-fd: '%s'", v);
        a->worker_fd = (int)n;
    } else if (missing) return 2 + usage_error("option '%s' needs a value", argv[*i]);
    else return 0;
    return 1;
}

static int parse_args(int argc, char **argv, serve_config *cfg, serve_args *a) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    *cfg = (serve_config){.argv = argv, .argc = argc, .listen = NULL, .store_url = "sqlite:airlock-sessions.db",
                          .workers = cores < 1 ? 1 : cores > SERVE_MAX_WORKERS ? SERVE_MAX_WORKERS : (int)cores,
                          .max_body = SERVE_DEFAULT_MAX_BODY, .session_ttl = SERVE_DEFAULT_SESSION_TTL, .threads = 256};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) return EXIT_USAGE;
    int nrest = 0, status = -1;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc && status < 0; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf(serve_usage, SERVE_DEFAULT_PORT, SERVE_DEFAULT_SESSION_TTL);
            status = EXIT_OK;
            continue;
        }
        int taken = serve_option(argc, argv, &i, cfg, a);
        if (taken >= 2) status = taken - 2;
        else if (!taken) rest[nrest++] = argv[i];
    }
    if (status < 0) status = options_parse(nrest, rest, &cfg->cli);
    free(rest);
    if (status >= 0) return status;
    if (cfg->cli.mode == RUN_CODE || cfg->cli.file || cfg->cli.json || cfg->cli.session)
        return usage_error("%s", "takes no program, -c, --json or --session: the code comes from the clients");
    return -1;
}

/* Whether addr (from --listen) is a loopback address. */
static bool loopback_listen(const char *listen) {
    char host[256];
    const char *colon = strrchr(listen, ':');
    size_t n = colon ? (size_t)(colon - listen) : strlen(listen);
    if (n == 0) return true; /* ":PORT" listens on 127.0.0.1 */
    if (n >= sizeof host) return false;
    memcpy(host, listen, n);
    host[n] = '\0';
    if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0) return true;
    struct in_addr a4;
    return inet_pton(AF_INET, host, &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

static int hash_token(void) {
    char line[4096];
    if (!fgets(line, sizeof line, stdin)) return usage_error("%s", "--hash-token reads the token on stdin");
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0]) return usage_error("%s", "the token is empty");
    char hex[65];
    tenants_hash_hex(line, hex);
    printf("%s\n", hex);
    return EXIT_OK;
}

/* ---- running ----------------------------------------------------------------------------------- */

static void reload_tokens(server *srv) {
    if (!srv->cfg.tokens_file) return;
    char err[512];
    tenants *fresh = tenants_load(srv->cfg.tokens_file, &srv->cfg.cli.limits, err, sizeof err);
    if (!fresh) {
        serve_log("SIGHUP: keeping the old tokens: %s", err);
        return;
    }
    pthread_rwlock_wrlock(&srv->tenants_lock);
    tenants *old = srv->tenants;
    srv->tenants = fresh;
    pthread_rwlock_unlock(&srv->tenants_lock);
    tenants_free(old);
    serve_log("SIGHUP: tokens reloaded from %s", srv->cfg.tokens_file);
}

/* Wait for signals: replace dead workers, reload tokens, and on SIGTERM
 * or SIGINT stop taking requests and let those in flight finish. */
static void signal_loop(server *srv, const sigset_t *set) {
    for (;;) {
        struct timespec tick = {1, 0};
        int sig = sigtimedwait(set, NULL, &tick);
        pool_reap(srv->pool);
        if (sig == SIGHUP) reload_tokens(srv);
        if (sig == SIGTERM || sig == SIGINT) break;
    }
    serve_log("stopping: finishing %d request(s) in flight", srv->in_flight);
    srv->stopping = true;
    http_quiesce(srv);
    double patience = srv->cfg.cli.limits.timeout_seconds + 10;
    for (double waited = 0; srv->in_flight > 0 && waited < patience; waited += 0.05) usleep(50000);
}

static bool start(server *srv, char *err, size_t n) {
    const airlock_limits *ceiling = &srv->cfg.cli.limits;
    srv->tenants = srv->cfg.tokens_file ? tenants_load(srv->cfg.tokens_file, ceiling, err, n) : tenants_anonymous(ceiling);
    if (!srv->tenants) return false;
    srv->usage = usage_new();
    srv->metrics = metrics_new();
    if (!srv->usage || !srv->metrics) return snprintf(err, n, "out of memory"), false;
    srv->store = store_open(srv->cfg.store_url, srv->cfg.session_ttl, err, n);
    if (!srv->store) return false;
    srv->pool = pool_start(&srv->cfg, err, n);
    if (!srv->pool) return false;
    srv->mcp = mcp_http_new(srv);
    if (!srv->mcp) return snprintf(err, n, "out of memory"), false;
    return http_start(srv, err, n);
}

static void stop(server *srv) {
    http_stop(srv);
    pool_stop(srv->pool);
    mcp_http_free(srv->mcp);
    if (srv->store) srv->store->ops->close(srv->store);
    metrics_free(srv->metrics);
    usage_free(srv->usage);
    tenants_free(srv->tenants);
    pthread_rwlock_destroy(&srv->tenants_lock);
    pthread_mutex_destroy(&srv->store_lock);
}

int serve_main(int argc, char **argv) {
    static server srv; /* large; one per process */
    serve_args a = {0};
    int status = parse_args(argc, argv, &srv.cfg, &a);
    if (status < 0 && a.worker_fd) status = serve_worker_main(&srv.cfg.cli, a.worker_fd);
    else if (status < 0 && a.hash_token) status = hash_token();
    if (status >= 0) {
        grants_free_options(&srv.cfg.cli);
        return status;
    }
    if (!srv.cfg.listen) srv.cfg.listen = "127.0.0.1:8470";
    if (!srv.cfg.tokens_file && !loopback_listen(srv.cfg.listen)) {
        grants_free_options(&srv.cfg.cli);
        return usage_error("%s", "without --tokens the server listens only on loopback (or --unix)");
    }
    /* Signals are taken by the main thread alone (sigtimedwait): block them
     * before any thread starts, so every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    pthread_rwlock_init(&srv.tenants_lock, NULL);
    pthread_mutex_init(&srv.store_lock, NULL);
    char err[512] = "";
    if (start(&srv, err, sizeof err)) {
        serve_log("ready: %d workers, store %s, %s", pool_size(srv.pool), srv.cfg.store_url,
                  srv.cfg.tokens_file ? "bearer tokens" : "no authentication (loopback)");
        signal_loop(&srv, &set);
        status = EXIT_OK;
    } else {
        serve_log("%s", err);
        status = EXIT_USAGE;
    }
    stop(&srv);
    grants_free_options(&srv.cfg.cli);
    return status;
}
