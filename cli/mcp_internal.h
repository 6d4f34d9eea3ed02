/*
 * mcp_internal.h - the pieces of the MCP server shared between its files:
 * configuration, the session table, the protocol layer and the tools.
 *
 *   mcp.c          command line, stdio framing, the event loop
 *   mcp_proto.c    JSON-RPC validation, protocol eras, method dispatch
 *   mcp_tools.c    run_python / reset_session and their descriptions
 *   mcp_session.c  named sandboxes: LRU cap and idle expiry
 *   mcp_watch.c    reading stdin during a run, for cancellation
 *   mcp_progress.c progress notifications of a run's output
 */
#ifndef AIRLOCK_CLI_MCP_INTERNAL_H
#define AIRLOCK_CLI_MCP_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "airlock.h"
#include "options.h"

#define MCP_DEFAULT_MAX_SESSIONS 16
#define MCP_DEFAULT_SESSION_IDLE 600.0 /* seconds */
#define MCP_MAX_SESSIONS_LIMIT 4096
#define MCP_MAX_LINE (16u << 20) /* longer messages are refused, not buffered */
#define MCP_MAX_SESSION_NAME 256

/* JSON-RPC 2.0 and MCP error codes. */
enum {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL_ERROR = -32603,
    MCP_UNSUPPORTED_PROTOCOL_VERSION = -32022, /* 2026-07-28 */
};

typedef struct mcp_config {
    cli_options cli;       /* limits (and, later, grants) as parsed */
    size_t max_sessions;
    double session_idle;   /* seconds */
    double store_ttl;      /* > 0: sessions live in airlock serve's store this long */
} mcp_config;

/*
 * Where run_python and reset_session run when not in this process's own
 * sandboxes (airlock serve: on its workers, sessions in its store).
 */
typedef struct mcp_backend {
    /* The run's --json object, or NULL with *err (malloc'd); *created tells
     * whether the session had no earlier state. */
    json_t *(*run)(void *ctx, const char *code, size_t len, const char *session, bool *created, char **err);
    /* Forget a session: 1 if it existed, 0 if not, -1 with *err on failure. */
    int (*reset)(void *ctx, const char *session, char **err);
    void *ctx;
} mcp_backend;

/* ---- sessions (mcp_session.c) ------------------------------------------ */

typedef struct mcp_sessions mcp_sessions;

mcp_sessions *sessions_new(airlock_runtime *rt, size_t max, double idle_seconds);
void sessions_free(mcp_sessions *ss);
/*
 * The sandbox of session `name`, created on first use (evicting the least
 * recently used session when the table is full). *created tells whether it
 * is new. NULL on failure, with the reason in *err.
 */
airlock_sandbox *sessions_get(mcp_sessions *ss, const char *name, bool *created, const char **err);
/* Mark a session as used now (call after a run: a long run is not idleness). */
void sessions_touch(mcp_sessions *ss, const char *name);
/* Drop a session; false if there was none by that name. */
bool sessions_reset(mcp_sessions *ss, const char *name);
/* Drop sessions idle for longer than the limit. */
void sessions_expire(mcp_sessions *ss);
/* Milliseconds until the next session expires, or -1 if none is open. */
int sessions_next_expiry_ms(const mcp_sessions *ss);
size_t sessions_count(const mcp_sessions *ss);
/* Monotonic clock in seconds. */
double mcp_now(void);

/* ---- reading stdin (mcp.c) ------------------------------------------------ */

typedef struct line_reader {
    int fd;
    char *buf;
    size_t start, len, cap; /* unread bytes are buf[start..len) */
    size_t scanned;         /* buf[start..scanned) holds no newline */
    size_t watched;         /* how far the run watcher has looked */
    bool eof, skipping;     /* skipping: inside a line that was too long */
} line_reader;

/*
 * Read what stdin has, waiting at most timeout_ms (-1: no limit). Returns 1
 * after reading, 0 on timeout, -1 at end of file, on error, or when the
 * buffer is full (the main loop then deals with the over-long line).
 */
int reader_read(line_reader *r, int timeout_ms);

/* ---- progress notifications (mcp_progress.c) ------------------------------ */

typedef struct mcp_progress mcp_progress;

/* Progress for the request that carried token (its _meta.progressToken),
 * written to out; NULL when token is not a string or an integer. */
mcp_progress *progress_start(FILE *out, json_t *token);
/* The exec's airlock_output_fn (userdata: the mcp_progress). */
void progress_output(void *userdata, int stream, const char *data, size_t len);
/* Send output held back by the rate limit, if it is due (the watcher's tick). */
void progress_tick(mcp_progress *p);
/* The run ended: send nothing more (NULL is fine). */
void progress_stop(mcp_progress *p);

/* ---- watching stdin during a run (mcp_watch.c) ---------------------------- */

typedef struct mcp_watch mcp_watch;

/*
 * While a tools/call runs, keep reading stdin on a helper thread so that a
 * `notifications/cancelled` for request `id` interrupts the sandbox and a
 * `ping` is answered on out at once (its line is then blanked). Other lines
 * read stay in the reader for the main loop. It also ticks progress (may be
 * NULL). NULL if no thread could start
 * (the run then simply cannot be cancelled).
 */
mcp_watch *watch_start(line_reader *r, FILE *out, json_t *id, airlock_sandbox *sb, mcp_progress *progress);
/* Stop watching; true if the request was cancelled. */
bool watch_stop(mcp_watch *w);

/* ---- the server ---------------------------------------------------------- */

typedef struct mcp_server {
    mcp_config cfg;
    airlock_runtime *rt;
    mcp_sessions *sessions;
    char *run_description; /* run_python's description, built once */
    bool initialized;      /* a legacy `initialize` has been answered */
    line_reader *reader;   /* stdin, for the run watcher */
    FILE *out;             /* the protocol stream, for the run watcher's answers */
    json_t *request_id;    /* id of the request being served */
    json_t *progress_token; /* its _meta.progressToken, or NULL */
    bool cancelled;        /* the client cancelled it: send no response */
    const mcp_backend *backend; /* NULL: the sandboxes of this process */
} mcp_server;

/*
 * Handle one message (one line, without its newline). Returns the response
 * to write, or NULL when nothing must be written (notifications, responses).
 */
/* The answer to a message that must not wait for the running call (a
 * legacy `ping`), or NULL: it is then left to the main loop. */
json_t *mcp_reply_during_run(const char *line, size_t len);
/* Write one message as one line and flush; false when the client is gone. */
bool mcp_write_message(FILE *out, json_t *msg);
json_t *mcp_handle_line(mcp_server *srv, const char *line, size_t len);

/* A JSON-RPC error response; id may be NULL (written as null). */
json_t *rpc_error(json_t *id, int code, const char *message, json_t *data);

/* ---- tools (mcp_tools.c) --------------------------------------------------- */

/* The description of run_python: what the code may use, and the limits;
 * host_grants is airlock_runtime_describe_grants() (env, plugins...). */
char *mcp_run_description(const mcp_config *cfg, const char *host_grants);
/* The `tools` array of tools/list. */
json_t *mcp_tool_list(const mcp_server *srv);
/*
 * Run tools/call. Returns the CallToolResult, or NULL with *code and
 * *message set for a protocol error (unknown tool, bad arguments).
 */
json_t *mcp_call_tool(mcp_server *srv, const char *name, json_t *args, int *code, char **message);

/* Log a line on stderr ("airlock mcp: ..."); stdout carries protocol only. */
void mcp_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
