/*
 * mcp_tools.c - the tools the MCP server offers: run_python and
 * reset_session.
 *
 * The result of run_python carries the run twice: as readable text (what
 * most clients show the model) and as structuredContent, which is exactly
 * the CLI's --json object (report_json), so programs get one format
 * whichever front end they use.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_internal.h"
#include "report.h"

/* ---- a small growable string ---------------------------------------------- */

typedef struct strbuf {
    char *s;
    size_t len, cap;
    bool oom;
} strbuf;

static void sb_addn(strbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *more = realloc(b->s, cap);
        if (!more) {
            b->oom = true;
            return;
        }
        b->s = more;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_add(strbuf *b, const char *s) {
    sb_addn(b, s, strlen(s));
}

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof small) {
        sb_addn(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_addn(b, big, (size_t)n);
    free(big);
}

/* Hand over the string (never NULL unless out of memory). */
static char *sb_take(strbuf *b) {
    if (b->oom) {
        free(b->s);
        return NULL;
    }
    return b->s ? b->s : strdup("");
}

/* "256 MiB", "1.5 KiB", "100 bytes": sizes as a reader wants them. */
static void fmt_size(char *out, size_t n, uint64_t bytes) {
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 4) v /= 1024, u++;
    if (u == 0) snprintf(out, n, "%" PRIu64 " bytes", bytes);
    else if (v == (double)(uint64_t)v) snprintf(out, n, "%.0f %s", v, units[u]);
    else snprintf(out, n, "%.1f %s", v, units[u]);
}

/* ---- descriptions ----------------------------------------------------------- */

static void describe_limits(strbuf *b, const airlock_limits *lim) {
    char mem[32], out[32];
    fmt_size(mem, sizeof mem, lim->memory_bytes ? lim->memory_bytes : AIRLOCK_DEFAULT_MEMORY);
    fmt_size(out, sizeof out, lim->max_output_bytes ? lim->max_output_bytes : AIRLOCK_DEFAULT_MAX_OUTPUT);
    sb_printf(b, "Limits of every call: %g s of wall-clock time, %s of memory, %s of output per stream (%s)",
              lim->timeout_seconds, mem, out,
              lim->output_overflow_stops ? "more stops the run" : "the rest is dropped");
    if (lim->fuel) sb_printf(b, ", %" PRIu64 " units of fuel (about one VM instruction each)", (uint64_t)lim->fuel);
    sb_add(b, ". A call that hits a limit is stopped and reported with `limit` set; its session survives. "
              "Recursion is limited to about 150 Python frames; time.sleep() busy-waits and counts against the "
              "time limit.\n\n");
}

static void describe_sessions(strbuf *b, const mcp_config *cfg) {
    if (cfg->store_ttl > 0) {
        sb_printf(b,
                  "State: calls that pass the same `session` name share one interpreter's state (variables, "
                  "functions, imports), kept by the server after every successful call for %g s; a call that "
                  "fails leaves the session as it was. Without `session`, every call starts from a fresh "
                  "interpreter. reset_session forgets a session.\n\n",
                  cfg->store_ttl);
        return;
    }
    sb_printf(b,
              "State: calls that pass the same `session` name share one interpreter (variables, functions, imports). "
              "At most %zu sessions are kept; the least recently used one is dropped to make room, and a session "
              "idle for %g s is forgotten. Without `session`, every call starts from a fresh interpreter. "
              "reset_session starts a session over.\n\n",
              cfg->max_sessions, cfg->session_idle);
}

/*
 * What `import` finds. Kept as data so that a test can check each claim
 * against the guest (tests/mcp/raw_protocol.py imports every name listed,
 * and fails to import every name said to be missing).
 */
static const char *const modules_available[] = {
    "json", "re", "math", "cmath", "random", "statistics", "fractions", "collections", "itertools", "functools",
    "operator", "heapq", "bisect", "string", "textwrap", "difflib", "pprint", "datetime", "calendar", "time",
    "hashlib", "hmac", "base64", "binascii", "struct", "array", "io", "copy", "zlib", "gzip", "asyncio",
    "contextlib", "abc", "enum", "typing", "dataclasses", "csv", "inspect", "types", "logging", "fnmatch", "errno",
    "gc", "sys", "os", "unittest", NULL};
static const char *const modules_missing[] = {"socket", "subprocess", "threading", "decimal", NULL};

static void describe_modules(strbuf *b, const airlock_guest_info *g) {
    if (!g->compat) {
        sb_add(b, "Modules: the standard library. Not available: third-party packages (numpy, pandas, requests, ...), "
                  "threads, subprocesses, sockets, ctypes.\n\n");
        return;
    }
    sb_add(b, "Modules:");
    for (const char *const *m = modules_available; *m; m++) sb_printf(b, "%s %s", m == modules_available ? "" : ",", *m);
    sb_add(b, ". Not available: third-party packages (numpy, pandas, requests, ...)");
    for (const char *const *m = modules_missing; *m; m++) sb_printf(b, ", %s", *m);
    sb_add(b, ".\n\n");
}

/* Each grant in plain words, by the path the code sees; then what host
 * functions and plugins grant (env, plugins...), in the runtime's words. */
static void describe_grants(strbuf *b, const cli_options *cli, const char *host_grants) {
    /* The runtime says "- no host functions ..." in one line when it grants
     * nothing: leave that out. */
    size_t n = host_grants ? strlen(host_grants) : 0;
    while (n && host_grants[n - 1] == '\n') n--;
    if (n && strncmp(host_grants, "- no ", 5) == 0 && !memchr(host_grants, '\n', n)) n = 0;
    if (cli->n_grants == 0 && n == 0) {
        sb_add(b, "Granted: nothing.");
        return;
    }
    sb_add(b, "Granted:");
    for (int i = 0; i < cli->n_grants; i++) {
        const cli_grant *g = &cli->grants[i];
        char size[32];
        if (!g->host) {
            fmt_size(size, sizeof size, g->scratch_bytes);
            sb_printf(b, "\n- %s: a private, writable, in-memory directory of at most %s; it starts empty for "
                         "every new interpreter and is never saved.", g->guest, size);
        } else if (g->mode == AIRLOCK_MOUNT_WRITE) {
            sb_printf(b, "\n- %s: files of the host that the code may read, create, change and delete.", g->guest);
        } else {
            sb_printf(b, "\n- %s: files of the host that the code may read, not change.", g->guest);
        }
    }
    if (n) {
        sb_add(b, "\n");
        sb_addn(b, host_grants, n);
    }
}

/*
 * Everything run_python's caller needs to know to write code that works
 * here. Built in one place so that each granted capability can append its
 * plain-words description at the end.
 */
char *mcp_run_description(const mcp_config *cfg, const char *host_grants) {
    strbuf b = {0};
    airlock_guest_info g = {.size = sizeof g};
    airlock_guest_info_of(cfg->cli.guest, &g);
    sb_printf(&b,
              "Run Python code in an isolated sandbox and get back what it printed, the value of its last "
              "expression, and any error with its traceback.\n\n"
              "The interpreter is %s %s: %s. "
              "The code runs as a module; print() output comes back as stdout, and a final expression's repr() "
              "comes back as result, like a notebook cell.\n\n",
              g.title, g.version,
              g.compat ? "Python 3 syntax and built-ins, a smaller standard library" : "the full language");
    sb_add(&b, "Nothing outside the sandbox can be reached: no files of the host, no network, no environment "
               "variables, no subprocesses, unless listed under 'Granted' below; apart from what is granted, the "
               "sandbox's filesystem is empty.\n\n");
    describe_modules(&b, &g);
    describe_sessions(&b, cfg);
    describe_limits(&b, &cfg->cli.limits);
    describe_grants(&b, &cfg->cli, host_grants);
    return sb_take(&b);
}

static json_t *string_schema(const char *description) {
    return json_pack("{s:s, s:s}", "type", "string", "description", description);
}

static json_t *nullable(const char *type) {
    return json_pack("{s:[{s:s}, {s:s}]}", "anyOf", "type", type, "type", "null");
}

/* The shape of structuredContent: the CLI's --json object. */
static json_t *run_output_schema(void) {
    return json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s}, s:o, s:o, s:o, s:{s:s}}, s:[s,s,s,s,s,s,s]}", "type",
                     "object", "properties", "ok", "type", "boolean", "stdout", "type", "string", "stderr", "type",
                     "string", "result", nullable("string"), "error", nullable("object"), "limit", nullable("string"),
                     "stats", "type", "object", "required", "ok", "stdout", "stderr", "result", "error", "limit",
                     "stats");
}

static json_t *run_python_tool(const mcp_server *srv) {
    json_t *schema = json_pack(
        "{s:s, s:{s:o, s:o}, s:[s], s:b}", "type", "object", "properties", "code",
        string_schema("Python source to run (MicroPython). The value of a final expression is returned as result."),
        "session",
        string_schema("Optional name of a session whose state (variables, imports) is kept between calls; "
                      "omit it for a fresh interpreter."),
        "required", "code", "additionalProperties", 0);
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:{s:b, s:b, s:b, s:b}}", "name", "run_python", "title",
                     "Run Python in a sandbox", "description", srv->run_description, "inputSchema", schema,
                     "outputSchema", run_output_schema(), "annotations", "readOnlyHint", 0, "destructiveHint", 0,
                     "idempotentHint", 0, "openWorldHint", 0);
}

static json_t *reset_session_tool(void) {
    json_t *schema = json_pack("{s:s, s:{s:o}, s:[s], s:b}", "type", "object", "properties", "session",
                               string_schema("Name of the session to forget."), "required", "session",
                               "additionalProperties", 0);
    return json_pack("{s:s, s:s, s:s, s:o, s:{s:b, s:b, s:b, s:b}}", "name", "reset_session", "title",
                     "Forget a Python session", "description",
                     "Forget a run_python session: its variables, functions and imports are dropped, and the next "
                     "call with that name starts from a fresh interpreter. Forgetting a session that does not "
                     "exist is not an error.",
                     "inputSchema", schema, "annotations", "readOnlyHint", 0, "destructiveHint", 1, "idempotentHint",
                     1, "openWorldHint", 0);
}

json_t *mcp_tool_list(const mcp_server *srv) {
    return json_pack("[o, o]", run_python_tool(srv), reset_session_tool());
}

/* ---- arguments ----------------------------------------------------------------- */

/*
 * Check `args` against a tool's input schema: only `allowed` keys, each a
 * string. Sets *message (malloc'd) and returns false on the first problem,
 * so the agent learns exactly what to fix.
 */
static bool check_string_args(json_t *args, const char *const *allowed, char **message) {
    const char *key;
    json_t *value;
    json_object_foreach(args, key, value) {
        bool known = false;
        for (const char *const *a = allowed; *a; a++) known |= strcmp(*a, key) == 0;
        if (!known) {
            if (asprintf(message, "unknown argument '%s'", key) < 0) *message = NULL;
            return false;
        }
        if (!json_is_string(value)) {
            if (asprintf(message, "argument '%s' must be a string", key) < 0) *message = NULL;
            return false;
        }
    }
    return true;
}

/* A session name: 1..MCP_MAX_SESSION_NAME bytes, no NUL. */
static bool valid_session_name(json_t *v, char **message) {
    size_t n = json_string_length(v);
    if (n == 0 || n > MCP_MAX_SESSION_NAME || strlen(json_string_value(v)) != n) {
        if (asprintf(message, "'session' must be 1 to %d characters, without NUL", MCP_MAX_SESSION_NAME) < 0)
            *message = NULL;
        return false;
    }
    return true;
}

/* ---- run_python ---------------------------------------------------------------------- */

static void render_stream(strbuf *b, const char *name, json_t *text, bool truncated) {
    size_t n = json_string_length(text);
    if (n == 0 && !truncated) return;
    sb_printf(b, "%s:\n", name);
    sb_addn(b, json_string_value(text), n);
    if (n && json_string_value(text)[n - 1] != '\n') sb_add(b, "\n");
    if (truncated) sb_printf(b, "[%s truncated: output beyond the limit was dropped]\n", name);
}

static void render_limit(strbuf *b, const char *limit, const airlock_limits *lim) {
    char size[32];
    sb_printf(b, "limit: %s (", limit);
    if (strcmp(limit, "timeout") == 0) {
        sb_printf(b, "stopped after %g s of wall-clock time", lim->timeout_seconds);
    } else if (strcmp(limit, "memory") == 0) {
        fmt_size(size, sizeof size, lim->memory_bytes ? lim->memory_bytes : AIRLOCK_DEFAULT_MEMORY);
        sb_printf(b, "needed more than %s of memory", size);
    } else if (strcmp(limit, "fuel") == 0) {
        sb_printf(b, "used up its fuel budget of %" PRIu64 " units", (uint64_t)lim->fuel);
    } else if (strcmp(limit, "output") == 0) {
        fmt_size(size, sizeof size, lim->max_output_bytes ? lim->max_output_bytes : AIRLOCK_DEFAULT_MAX_OUTPUT);
        sb_printf(b, "wrote more than %s to one stream", size);
    } else if (strcmp(limit, "stack") == 0) {
        sb_add(b, "native stack exhausted by deep recursion");
    } else {
        sb_add(b, "the run was interrupted");
    }
    sb_add(b, ")\n");
}

/* The run as text, made from the same JSON object as structuredContent so
 * the two never disagree. */
static char *render_run(json_t *rep, const airlock_limits *lim, const char *session, bool created) {
    strbuf b = {0};
    json_t *stats = json_object_get(rep, "stats");
    render_stream(&b, "stdout", json_object_get(rep, "stdout"),
                  json_is_true(json_object_get(stats, "stdout_truncated")));
    render_stream(&b, "stderr", json_object_get(rep, "stderr"),
                  json_is_true(json_object_get(stats, "stderr_truncated")));
    json_t *result = json_object_get(rep, "result");
    if (json_is_string(result)) sb_printf(&b, "result: %s\n", json_string_value(result));
    json_t *error = json_object_get(rep, "error");
    if (json_is_object(error)) {
        const char *tb = json_string_value(json_object_get(error, "traceback"));
        if (tb && *tb) sb_printf(&b, "error:\n%s%s", tb, tb[strlen(tb) - 1] == '\n' ? "" : "\n");
        else
            sb_printf(&b, "error: %s: %s\n", json_string_value(json_object_get(error, "type")),
                      json_string_value(json_object_get(error, "message")));
    }
    json_t *limit = json_object_get(rep, "limit");
    if (json_is_string(limit)) render_limit(&b, json_string_value(limit), lim);
    if (b.len == 0) sb_add(&b, "(no output)\n");
    if (session && created) sb_printf(&b, "[session '%s' started: no earlier state]\n", session);
    return sb_take(&b);
}

/* Run code in one of this process's sandboxes: the session's, or a fresh
 * one. The run's JSON object, or NULL with *err. */
static json_t *run_here(mcp_server *srv, json_t *src, const char *session, bool *created, char **err) {
    const char *why = NULL;
    airlock_sandbox *sb = NULL;
    if (session) {
        sb = sessions_get(srv->sessions, session, created, &why);
    } else if (airlock_sandbox_new(srv->rt, &sb) != AIRLOCK_OK) {
        why = airlock_sandbox_errmsg(sb);
    }
    if (why) {
        if (asprintf(err, "cannot create a sandbox: %s", why) < 0) *err = NULL;
        if (!session) airlock_sandbox_free(sb);
        return NULL;
    }
    mcp_progress *progress = progress_start(srv->out, srv->progress_token);
    mcp_watch *watch = watch_start(srv->reader, srv->out, srv->request_id, sb, progress);
    airlock_exec_options opt = AIRLOCK_EXEC_OPTIONS_INIT;
    if (progress) opt.on_output = progress_output, opt.output_userdata = progress;
    int rc = airlock_sandbox_exec_ex(sb, json_string_value(src), json_string_length(src), &opt);
    if (watch_stop(watch)) srv->cancelled = true;
    progress_stop(progress); /* after the watcher, which ticks it */
    json_t *rep = report_json(sb, rc);
    if (session) sessions_touch(srv->sessions, session);
    else airlock_sandbox_free(sb);
    return rep;
}

/* Run code in the named session's sandbox, or in a fresh one. */
static json_t *run_python(mcp_server *srv, json_t *args, int *code, char **message) {
    static const char *const allowed[] = {"code", "session", NULL};
    if (!check_string_args(args, allowed, message)) return *code = RPC_INVALID_PARAMS, NULL;
    json_t *src = json_object_get(args, "code"), *sess = json_object_get(args, "session");
    if (!src) return *code = RPC_INVALID_PARAMS, *message = strdup("missing required argument 'code'"), NULL;
    if (sess && !valid_session_name(sess, message)) return *code = RPC_INVALID_PARAMS, NULL;
    const char *session = sess ? json_string_value(sess) : NULL;

    bool created = true;
    char *err = NULL;
    json_t *rep = srv->backend ? srv->backend->run(srv->backend->ctx, json_string_value(src), json_string_length(src),
                                                   session, &created, &err)
                               : run_here(srv, src, session, &created, &err);
    if (!rep) {
        *code = RPC_INTERNAL_ERROR;
        *message = err ? err : strdup("out of memory");
        return NULL;
    }
    json_t *ok = json_object_get(rep, "ok"), *limit = json_object_get(rep, "limit");
    bool is_error = !json_is_true(ok) || json_is_string(limit);
    mcp_log("run_python%s%s: %s%s, %.1f ms", session ? " session=" : "", session ? session : "",
            is_error ? "error" : "ok", json_is_string(limit) ? " (limit)" : "",
            json_real_value(json_object_get(json_object_get(rep, "stats"), "wall_ms")));
    char *text = render_run(rep, &srv->cfg.cli.limits, session, created);
    json_t *res = json_pack("{s:[{s:s, s:s?}], s:o, s:b}", "content", "type", "text", "text", text,
                            "structuredContent", rep, "isError", is_error);
    free(text);
    if (!res) *code = RPC_INTERNAL_ERROR, *message = strdup("out of memory");
    return res;
}

/* ---- reset_session ------------------------------------------------------------------- */

static json_t *reset_session(mcp_server *srv, json_t *args, int *code, char **message) {
    static const char *const allowed[] = {"session", NULL};
    if (!check_string_args(args, allowed, message)) return *code = RPC_INVALID_PARAMS, NULL;
    json_t *sess = json_object_get(args, "session");
    if (!sess) return *code = RPC_INVALID_PARAMS, *message = strdup("missing required argument 'session'"), NULL;
    if (!valid_session_name(sess, message)) return *code = RPC_INVALID_PARAMS, NULL;
    const char *name = json_string_value(sess);
    char *err = NULL;
    int existed = srv->backend ? srv->backend->reset(srv->backend->ctx, name, &err) : sessions_reset(srv->sessions, name);
    if (existed < 0) return *code = RPC_INTERNAL_ERROR, *message = err ? err : strdup("out of memory"), NULL;
    mcp_log("reset_session %s: %s", name, existed ? "dropped" : "no such session");
    char *text = NULL;
    if (asprintf(&text, existed ? "session '%s' forgotten\n" : "no session '%s' was open; nothing to forget\n",
                 name) < 0)
        return *code = RPC_INTERNAL_ERROR, *message = strdup("out of memory"), NULL;
    json_t *res = json_pack("{s:[{s:s, s:s}], s:{s:s, s:b}, s:b}", "content", "type", "text", "text", text,
                            "structuredContent", "session", name, "existed", existed, "isError", 0);
    free(text);
    return res;
}

json_t *mcp_call_tool(mcp_server *srv, const char *name, json_t *args, int *code, char **message) {
    json_t *empty = NULL;
    if (!args) args = empty = json_object();
    json_t *res = NULL;
    if (strcmp(name, "run_python") == 0) res = run_python(srv, args, code, message);
    else if (strcmp(name, "reset_session") == 0) res = reset_session(srv, args, code, message);
    else if (asprintf(message, "unknown tool '%s' (tools: run_python, reset_session)", name) < 0) *message = NULL;
    if (!res && !*code) *code = RPC_INVALID_PARAMS;
    json_decref(empty);
    return res;
}
