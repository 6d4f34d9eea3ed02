/*
 * mcp.c - `airlock mcp`: command line, stdio framing and the event loop of
 * the MCP server.
 *
 * Framing is the MCP stdio transport: one JSON-RPC message per line on
 * stdin, one per line on stdout. Nothing else may ever reach stdout, so the
 * real stdout is kept on a private descriptor and fd 1 is pointed at stderr:
 * a stray printf anywhere in the process then lands in the log instead of
 * corrupting the protocol.
 */
#include "mcp.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mcp_internal.h"
#include "os_sandbox.h"

static const char mcp_usage[] =
    "usage: airlock mcp [options]\n"
    "\n"
    "Serve the Model Context Protocol on stdin/stdout (one JSON-RPC message per\n"
    "line) so that an agent can run Python in airlock's sandbox. Tools:\n"
    "run_python {code, session?} and reset_session {session}. Logs go to stderr.\n"
    "Protocol versions 2025-11-25 (initialize handshake; also 2025-06-18,\n"
    "2025-03-26, 2024-11-05) and 2026-07-28 (server/discover, per-request _meta).\n"
    "\n"
    "Sessions (calls naming the same session share state):\n"
    "  --max-sessions N       keep at most N sessions; the least recently used\n"
    "                         one is dropped to make room (default %d)\n"
    "  --session-idle SECONDS forget a session idle this long (default %g)\n"
    "\n"
    "Every run has the limits of `airlock --help`: --memory SIZE, --fuel N,\n"
    "--timeout SECONDS (default 30), --max-output SIZE, --output-stops; and its\n"
    "grants: --allow-read PATH, --allow-write DIR, --mount HOST:GUEST[:rw],\n"
    "--scratch SIZE, --allow-env NAME, --allow-sqlite PATH[:rw], --allow-net\n"
    "HOST[:PORT][:private], --plugin PATH, --deterministic, --seed N, --audit\n"
    "FILE; and --guest micropython|cpython, --no-compat, --no-os-sandbox,\n"
    "--verbose. The tool description tells the agent which interpreter runs\n"
    "the code and what is granted.\n"
    "\n"
    "Client configuration (e.g. a JSON \"mcpServers\" entry):\n"
    "  {\"command\": \"airlock\", \"args\": [\"mcp\", \"--timeout\", \"10\"]}\n";

void mcp_log(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_vline("airlock mcp", fmt, ap);
    va_end(ap);
}

/* ---- command line ------------------------------------------------------------ */

static int bad_value(const char *name, const char *arg, const char *want) {
    fprintf(stderr, "airlock mcp: %s: '%s' is not %s\nTry 'airlock mcp --help'.\n", name, arg, want);
    return EXIT_USAGE;
}

/*
 * If argv[*i] is option `name` (as "--name V" or "--name=V"), return its
 * value and advance *i past it; NULL otherwise. *missing is set when the
 * option is there without a value.
 */
static const char *take_value(int argc, char **argv, int *i, const char *name, bool *missing) {
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0) return NULL;
    if (argv[*i][n] == '=') return argv[*i] + n + 1;
    if (argv[*i][n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

static int parse_max_sessions(const char *v, mcp_config *cfg) {
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || end == v || *end || n < 1 || n > MCP_MAX_SESSIONS_LIMIT)
        return bad_value("--max-sessions", v, "a whole number from 1 to 4096");
    cfg->max_sessions = (size_t)n;
    return -1;
}

static int parse_idle(const char *v, mcp_config *cfg) {
    char *end;
    errno = 0;
    double s = strtod(v, &end);
    if (errno || end == v || *end || !(s > 0) || s > 1e7)
        return bad_value("--session-idle", v, "a positive number of seconds");
    cfg->session_idle = s;
    return -1;
}

/*
 * Take out the options only `mcp` knows, then hand the rest to the shared
 * option parser, so every limit (and grant) flag means what it means for a
 * plain run. Returns -1 to go on, or an exit status.
 */
static int parse_args(int argc, char **argv, mcp_config *cfg) {
    cfg->max_sessions = MCP_DEFAULT_MAX_SESSIONS;
    cfg->session_idle = MCP_DEFAULT_SESSION_IDLE;
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    if (!rest) return EXIT_USAGE;
    int nrest = 0, status = -1;
    rest[nrest++] = argv[0];
    for (int i = 1; i < argc && status < 0; i++) {
        bool missing = false;
        const char *v;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf(mcp_usage, MCP_DEFAULT_MAX_SESSIONS, MCP_DEFAULT_SESSION_IDLE);
            status = EXIT_OK;
        } else if ((v = take_value(argc, argv, &i, "--max-sessions", &missing))) {
            status = parse_max_sessions(v, cfg);
        } else if ((v = take_value(argc, argv, &i, "--session-idle", &missing))) {
            status = parse_idle(v, cfg);
        } else if (missing) {
            fprintf(stderr, "airlock mcp: option '%s' needs a value\n", argv[i]);
            status = EXIT_USAGE;
        } else {
            rest[nrest++] = argv[i];
        }
    }
    if (status < 0) status = options_parse(nrest, rest, &cfg->cli);
    free(rest);
    if (status >= 0) return status;
    if (cfg->cli.mode == RUN_CODE || cfg->cli.file || cfg->cli.json) {
        fprintf(stderr, "airlock mcp: takes no program, -c or --json: the code comes from the client\n"
                        "Try 'airlock mcp --help'.\n");
        return EXIT_USAGE;
    }
    return -1;
}

/* ---- framing ---------------------------------------------------------------------- */

enum { LINE_OK, LINE_EOF, LINE_TOO_LONG };

/* Make room to read more: drop consumed bytes, then grow up to the cap. */
static bool make_room(line_reader *r) {
    if (r->start) {
        memmove(r->buf, r->buf + r->start, r->len - r->start);
        r->len -= r->start;
        r->scanned -= r->start;
        r->watched = r->watched > r->start ? r->watched - r->start : 0;
        r->start = 0;
    }
    if (r->len < r->cap) return true;
    size_t cap = r->cap ? r->cap * 2 : 1 << 16;
    if (cap > MCP_MAX_LINE + (1 << 16)) cap = MCP_MAX_LINE + (1 << 16);
    if (cap == r->cap) return false; /* full: the line is too long */
    char *more = realloc(r->buf, cap);
    if (!more) return false;
    r->buf = more;
    r->cap = cap;
    return true;
}

int reader_read(line_reader *r, int timeout_ms) {
    if (r->eof || !make_room(r)) return -1;
    for (;;) {
        struct pollfd p = {r->fd, POLLIN, 0};
        int ready = poll(&p, 1, timeout_ms);
        if (ready == 0) return 0;
        if (ready < 0 && errno == EINTR) continue;
        ssize_t n = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) { /* end of file, or an error we cannot fix */
            r->eof = true;
            return -1;
        }
        r->len += (size_t)n;
        return 1;
    }
}

/*
 * Wait for input, waking up when a session is due to expire so that idle
 * sessions free their memory even while the client is silent.
 */
static void fill(line_reader *r, mcp_sessions *ss) {
    int rc;
    while ((rc = reader_read(r, sessions_next_expiry_ms(ss))) == 0) sessions_expire(ss);
    if (rc < 0 && !r->eof) {
        mcp_log("out of memory reading a message; stopping");
        r->eof = true;
    }
}

/* The next line (without "\n" or "\r\n"). */
static int next_line(line_reader *r, mcp_sessions *ss, const char **line, size_t *n) {
    for (;;) {
        char *nl = r->len > r->scanned ? memchr(r->buf + r->scanned, '\n', r->len - r->scanned) : NULL;
        if (nl) {
            *line = r->buf + r->start;
            *n = (size_t)(nl - *line);
            r->start = r->scanned = (size_t)(nl - r->buf) + 1;
            if (r->skipping) {
                r->skipping = false; /* the rest of an over-long line */
                continue;
            }
            if (*n && (*line)[*n - 1] == '\r') --*n;
            return LINE_OK;
        }
        r->scanned = r->len;
        if (r->skipping) {
            r->start = r->scanned = r->len; /* drop it as it comes */
        } else if (r->len - r->start > MCP_MAX_LINE) {
            r->skipping = true;
            r->start = r->scanned = r->len;
            return LINE_TOO_LONG;
        }
        if (r->eof) {
            /* A last message without its newline still counts. */
            if (r->len > r->start && !r->skipping) {
                *line = r->buf + r->start;
                *n = r->len - r->start;
                r->start = r->scanned = r->len;
                return LINE_OK;
            }
            return LINE_EOF;
        }
        fill(r, ss);
    }
}

/* One message, one line. False when the client has gone away. */
bool mcp_write_message(FILE *out, json_t *msg) {
    if (!msg) return true;
    /* whole, under the stream's lock: progress and the run watcher's ping
     * replies are written from two threads during a run */
    flockfile(out);
    int rc = json_dumpf(msg, out, JSON_COMPACT | JSON_REAL_PRECISION(6)); /* as the CLI's --json */
    json_decref(msg);
    if (rc == 0) fputc('\n', out);
    bool ok = fflush(out) == 0 && !ferror(out) && rc == 0;
    funlockfile(out);
    return ok;
}

static bool blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
    return true;
}

static void serve(mcp_server *srv, FILE *out) {
    line_reader r = {.fd = STDIN_FILENO};
    srv->reader = &r;
    srv->out = out;
    const char *line;
    size_t n;
    int kind;
    while ((kind = next_line(&r, srv->sessions, &line, &n)) != LINE_EOF) {
        json_t *reply;
        if (kind == LINE_TOO_LONG) {
            mcp_log("message longer than %u MiB refused", MCP_MAX_LINE >> 20);
            reply = rpc_error(NULL, RPC_INVALID_REQUEST, "Invalid Request: message longer than 16 MiB", NULL);
        } else if (blank(line, n)) {
            continue; /* an empty line is no message */
        } else {
            sessions_expire(srv->sessions);
            reply = mcp_handle_line(srv, line, n);
        }
        if (!mcp_write_message(out, reply)) {
            mcp_log("stdout closed; stopping");
            break;
        }
    }
    free(r.buf);
    srv->reader = NULL;
}

/* ---- set-up ------------------------------------------------------------------------ */

/* Keep the real stdout for the protocol; send fd 1 to stderr. */
static FILE *protocol_stream(void) {
    int fd = dup(STDOUT_FILENO);
    if (fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) return NULL;
    FILE *out = fdopen(fd, "w");
    if (!out) close(fd);
    return out;
}

static int start_runtime(mcp_server *srv) {
    int rc = airlock_runtime_new(&srv->rt);
    if (rc == AIRLOCK_OK) rc = airlock_runtime_set_limits(srv->rt, &srv->cfg.cli.limits);
    if (rc == AIRLOCK_OK) rc = options_apply_guest(&srv->cfg.cli, srv->rt);
    if (rc == AIRLOCK_OK) {
        /* the same grants, plugins, env, determinism and audit as a plain run */
        int status = grants_apply(&srv->cfg.cli, srv->rt);
        if (status < 0) status = plugins_apply(&srv->cfg.cli, srv->rt);
        if (status >= 0) return status;
    }
    if (rc != AIRLOCK_OK) {
        mcp_log("%s", srv->rt ? airlock_runtime_errmsg(srv->rt) : "out of memory");
        return rc == AIRLOCK_MISUSE ? EXIT_USAGE : EXIT_PYTHON;
    }
    srv->sessions = sessions_new(srv->rt, srv->cfg.max_sessions, srv->cfg.session_idle);
    srv->run_description = mcp_run_description(&srv->cfg, airlock_runtime_describe_grants(srv->rt));
    if (!srv->sessions || !srv->run_description) {
        mcp_log("out of memory");
        return EXIT_PYTHON;
    }
    /* The first sandbox on this thread looks up the thread's stack bounds,
     * which glibc reads from /proc/self/maps: make one now, while /proc is
     * still open to us, or every run would get a tiny stack limit. */
    airlock_sandbox *warm = NULL;
    if (airlock_sandbox_new(srv->rt, &warm) == AIRLOCK_OK) airlock_sandbox_free(warm);
    /* Start-up is over: from here the server keeps only what it serves. */
    os_sandbox_enter(&srv->cfg.cli, "airlock mcp");
    return -1;
}

static void stop_runtime(mcp_server *srv) {
    sessions_free(srv->sessions);
    free(srv->run_description);
    airlock_runtime_free(srv->rt);
    grants_free_options(&srv->cfg.cli);
}

int mcp_main(int argc, char **argv) {
    mcp_server srv = {0};
    int status = parse_args(argc, argv, &srv.cfg);
    if (status >= 0) {
        grants_free_options(&srv.cfg.cli);
        return status;
    }
    /* A client that goes away must not kill us mid-write with SIGPIPE. */
    signal(SIGPIPE, SIG_IGN);
    FILE *out = protocol_stream();
    if (!out) {
        mcp_log("cannot set up stdout: %s", strerror(errno));
        grants_free_options(&srv.cfg.cli);
        return EXIT_PYTHON;
    }
    status = start_runtime(&srv);
    if (status < 0) {
        if (isatty(STDIN_FILENO))
            mcp_log("expects MCP messages (JSON-RPC, one per line) on stdin; see 'airlock mcp --help'");
        char guest[64];
        mcp_log("ready: %s, timeout %g s, %zu sessions, idle %g s", options_guest_title(&srv.cfg.cli, guest, sizeof guest),
                srv.cfg.cli.limits.timeout_seconds, srv.cfg.max_sessions, srv.cfg.session_idle);
        serve(&srv, out);
        status = EXIT_OK;
    }
    stop_runtime(&srv);
    fclose(out);
    return status;
}
