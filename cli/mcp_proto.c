/*
 * mcp_proto.c - JSON-RPC 2.0 and the two eras of the Model Context Protocol.
 *
 * The server is "dual-era" in the words of the 2026-07-28 specification:
 *
 *   legacy  (2025-11-25 and earlier): the client opens with `initialize`,
 *           then sends `notifications/initialized`; requests carry no
 *           protocol fields. `ping` exists.
 *   modern  (2026-07-28): no handshake. Every request carries
 *           `_meta["io.modelcontextprotocol/protocolVersion"]` and
 *           `..."/clientCapabilities"`; `server/discover` tells the versions,
 *           capabilities and identity. Results carry `resultType`, list
 *           results carry cache hints. `ping` is gone.
 *
 * A request is modern when its _meta names a protocol version, legacy
 * otherwise; both may arrive on the same connection. Because the server
 * keeps no per-connection protocol state, a legacy request that arrives
 * before `initialize` is served too rather than refused: being lenient
 * there costs nothing and helps hand-written clients.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_internal.h"

#define META_VERSION "io.modelcontextprotocol/protocolVersion"
#define META_CAPABILITIES "io.modelcontextprotocol/clientCapabilities"
#define META_CLIENT_INFO "io.modelcontextprotocol/clientInfo"
#define META_SERVER_INFO "io.modelcontextprotocol/serverInfo"

/* Newest first: initialize answers with the first when it cannot echo. */
static const char *const modern_versions[] = {"2026-07-28", NULL};
static const char *const legacy_versions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05", NULL};

static const char instructions[] =
    "airlock runs Python in a sandbox that cannot reach this machine (run_python names the interpreter): no "
    "files, network, environment or processes unless granted. Use run_python to compute, parse or test things; pass a "
    "`session` name to keep state between calls.";

/* A parsed request: what every handler needs. */
typedef struct request {
    json_t *id;        /* borrowed; never NULL for a request */
    const char *method;
    json_t *params;    /* borrowed; an object, possibly empty */
    bool modern;       /* carries the 2026-07-28 per-request fields */
} request;

/* ---- responses ---------------------------------------------------------------- */

json_t *rpc_error(json_t *id, int code, const char *message, json_t *data) {
    json_t *err = json_pack("{s:i, s:s}", "code", code, "message", message ? message : "error");
    if (err && data) json_object_set_new(err, "data", data);
    else json_decref(data);
    return json_pack("{s:s, s:O?, s:o}", "jsonrpc", "2.0", "id", id ? id : json_null(), "error", err);
}

static json_t *server_info(void) {
    return json_pack("{s:s, s:s, s:s}", "name", "airlock", "title", "airlock Python sandbox", "version",
                     AIRLOCK_VERSION);
}

/* Wrap a result; modern results also say their type and who answered. */
static json_t *rpc_result(const request *rq, json_t *result) {
    if (!result) return rpc_error(rq->id, RPC_INTERNAL_ERROR, "out of memory", NULL);
    if (rq->modern) {
        json_object_set_new(result, "resultType", json_string("complete"));
        json_t *meta = json_object_get(result, "_meta");
        if (!json_is_object(meta)) json_object_set_new(result, "_meta", meta = json_object());
        json_object_set_new(meta, META_SERVER_INFO, server_info());
    }
    return json_pack("{s:s, s:O, s:o}", "jsonrpc", "2.0", "id", rq->id, "result", result);
}

static json_t *string_array(const char *const *a, const char *const *b) {
    json_t *arr = json_array();
    for (; a && *a; a++) json_array_append_new(arr, json_string(*a));
    for (; b && *b; b++) json_array_append_new(arr, json_string(*b));
    return arr;
}

static bool in_list(const char *const *list, const char *s) {
    for (; *list; list++)
        if (strcmp(*list, s) == 0) return true;
    return false;
}

static json_t *capabilities(void) {
    return json_pack("{s:{s:b}}", "tools", "listChanged", 0);
}

/* ---- legacy: initialize ---------------------------------------------------------- */

/* YYYY-MM-DD: the shape of every MCP revision name. */
static bool looks_like_revision(const char *v) {
    if (strlen(v) != 10) return false;
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? v[i] != '-' : !isdigit((unsigned char)v[i])) return false;
    return true;
}

static json_t *unsupported_version(json_t *id, int code, const char *requested) {
    json_t *data = json_pack("{s:o, s:s}", "supported", string_array(modern_versions, legacy_versions), "requested",
                             requested);
    return rpc_error(id, code, "Unsupported protocol version", data);
}

/*
 * 2025-11-25 lifecycle: echo the client's version when supported, else
 * offer our newest legacy one and let the client decide. A value that is
 * not a revision name at all is refused with the error the lifecycle page
 * shows (-32602 with supported/requested).
 */
static json_t *handle_initialize(mcp_server *srv, const request *rq) {
    json_t *ver = json_object_get(rq->params, "protocolVersion");
    json_t *caps = json_object_get(rq->params, "capabilities");
    json_t *info = json_object_get(rq->params, "clientInfo");
    if (!json_is_string(ver))
        return rpc_error(rq->id, RPC_INVALID_PARAMS, "initialize: 'protocolVersion' must be a string", NULL);
    if ((caps && !json_is_object(caps)) || (info && !json_is_object(info)))
        return rpc_error(rq->id, RPC_INVALID_PARAMS, "initialize: 'capabilities' and 'clientInfo' must be objects",
                         NULL);
    const char *requested = json_string_value(ver);
    if (!looks_like_revision(requested))
        return unsupported_version(rq->id, RPC_INVALID_PARAMS, requested);
    const char *chosen = in_list(legacy_versions, requested) ? requested : legacy_versions[0];
    const char *client = json_string_value(json_object_get(info, "name"));
    mcp_log("initialize from %s: protocol %s%s", client ? client : "a client", chosen,
            chosen == requested ? "" : " (offered instead of the requested one)");
    srv->initialized = true;
    return rpc_result(rq, json_pack("{s:s, s:o, s:o, s:s}", "protocolVersion", chosen, "capabilities",
                                    capabilities(), "serverInfo", server_info(), "instructions", instructions));
}

/* ---- both eras --------------------------------------------------------------------- */

static json_t *handle_discover(const request *rq) {
    return rpc_result(rq, json_pack("{s:o, s:o, s:o, s:s, s:i, s:s}", "supportedVersions",
                                    string_array(modern_versions, NULL), "capabilities", capabilities(),
                                    "serverInfo", server_info(), "instructions", instructions, "ttlMs", 3600000,
                                    "cacheScope", "private"));
}

static json_t *handle_tools_list(mcp_server *srv, const request *rq) {
    json_t *cursor = json_object_get(rq->params, "cursor");
    /* One page only: any cursor is one we never issued. */
    if (cursor) return rpc_error(rq->id, RPC_INVALID_PARAMS, "invalid cursor: the tool list has one page", NULL);
    json_t *res = json_pack("{s:o}", "tools", mcp_tool_list(srv));
    if (res && rq->modern) {
        /* The list changes only with the command line: cache it freely, but
         * privately, since it describes this configuration's grants. */
        json_object_set_new(res, "ttlMs", json_integer(3600000));
        json_object_set_new(res, "cacheScope", json_string("private"));
    }
    return rpc_result(rq, res);
}

static json_t *handle_tools_call(mcp_server *srv, const request *rq) {
    json_t *name = json_object_get(rq->params, "name");
    json_t *args = json_object_get(rq->params, "arguments");
    if (!json_is_string(name)) return rpc_error(rq->id, RPC_INVALID_PARAMS, "tools/call: 'name' must be a string", NULL);
    if (args && !json_is_object(args) && !json_is_null(args))
        return rpc_error(rq->id, RPC_INVALID_PARAMS, "tools/call: 'arguments' must be an object", NULL);
    int code = 0;
    char *message = NULL;
    srv->progress_token = json_object_get(json_object_get(rq->params, "_meta"), "progressToken");
    json_t *res = mcp_call_tool(srv, json_string_value(name), json_is_object(args) ? args : NULL, &code, &message);
    srv->progress_token = NULL;
    if (res) return rpc_result(rq, res);
    json_t *err = rpc_error(rq->id, code, message ? message : "out of memory", NULL);
    free(message);
    return err;
}

/* ---- dispatch ------------------------------------------------------------------------ */

/*
 * Check the 2026-07-28 per-request fields. Returns an error response, or
 * NULL when the request may proceed (rq->modern set accordingly).
 */
static json_t *check_modern_meta(request *rq) {
    json_t *meta = json_object_get(rq->params, "_meta");
    json_t *ver = json_object_get(meta, META_VERSION);
    if (meta && !json_is_object(meta)) return rpc_error(rq->id, RPC_INVALID_PARAMS, "'_meta' must be an object", NULL);
    if (!ver) return NULL; /* legacy */
    rq->modern = true;
    if (!json_is_string(ver))
        return rpc_error(rq->id, RPC_INVALID_PARAMS, "_meta: '" META_VERSION "' must be a string", NULL);
    if (!in_list(modern_versions, json_string_value(ver)))
        return unsupported_version(rq->id, MCP_UNSUPPORTED_PROTOCOL_VERSION, json_string_value(ver));
    if (!json_is_object(json_object_get(meta, META_CAPABILITIES)))
        return rpc_error(rq->id, RPC_INVALID_PARAMS, "_meta: '" META_CAPABILITIES "' (an object) is required", NULL);
    json_t *info = json_object_get(meta, META_CLIENT_INFO);
    if (info && !json_is_object(info))
        return rpc_error(rq->id, RPC_INVALID_PARAMS, "_meta: '" META_CLIENT_INFO "' must be an object", NULL);
    return NULL;
}

static json_t *dispatch(mcp_server *srv, request *rq) {
    /* initialize selects the legacy era whatever its _meta says. */
    if (strcmp(rq->method, "initialize") == 0) return handle_initialize(srv, rq);
    json_t *bad = check_modern_meta(rq);
    if (bad) return bad;
    if (strcmp(rq->method, "tools/list") == 0) return handle_tools_list(srv, rq);
    if (strcmp(rq->method, "tools/call") == 0) return handle_tools_call(srv, rq);
    if (strcmp(rq->method, "server/discover") == 0) {
        if (!rq->modern)
            return rpc_error(rq->id, RPC_INVALID_PARAMS,
                             "server/discover needs _meta with '" META_VERSION "' and '" META_CAPABILITIES "'", NULL);
        return handle_discover(rq);
    }
    /* ping was removed in 2026-07-28; legacy clients still use it. */
    if (strcmp(rq->method, "ping") == 0 && !rq->modern) return rpc_result(rq, json_object());
    char msg[200];
    snprintf(msg, sizeof msg, "Method not found: %.150s", rq->method);
    return rpc_error(rq->id, RPC_METHOD_NOT_FOUND, msg, NULL);
}

/* Notifications are never answered, whatever they say. */
static void handle_notification(mcp_server *srv, const char *method) {
    if (strcmp(method, "notifications/initialized") == 0) {
        if (!srv->initialized) mcp_log("notifications/initialized before initialize (ignored)");
    } else if (strcmp(method, "notifications/cancelled") != 0) {
        /* cancelled: calls run one at a time and have finished by the time
         * we read the notice, so there is nothing left to cancel. */
        mcp_log("notification %.100s ignored", method);
    }
}

/* JSON-RPC ids: MCP allows strings and integers, never null. */
static bool valid_id(json_t *id) {
    return json_is_string(id) || json_is_integer(id);
}

/* Validate the envelope and route one parsed message. */
static json_t *handle_message(mcp_server *srv, json_t *msg) {
    if (json_is_array(msg))
        return rpc_error(NULL, RPC_INVALID_REQUEST, "Invalid Request: batches are not supported", NULL);
    if (!json_is_object(msg)) return rpc_error(NULL, RPC_INVALID_REQUEST, "Invalid Request: not an object", NULL);
    json_t *id = json_object_get(msg, "id"), *method = json_object_get(msg, "method");
    /* A response to a request of ours: we send none, so drop it. */
    if (!method && (json_object_get(msg, "result") || json_object_get(msg, "error"))) return NULL;
    if (id && !valid_id(id))
        return rpc_error(NULL, RPC_INVALID_REQUEST, "Invalid Request: 'id' must be a string or an integer", NULL);
    if (!json_is_string(json_object_get(msg, "jsonrpc")) || strcmp(json_string_value(json_object_get(msg, "jsonrpc")), "2.0"))
        return rpc_error(id, RPC_INVALID_REQUEST, "Invalid Request: 'jsonrpc' must be \"2.0\"", NULL);
    if (!json_is_string(method))
        return rpc_error(id, RPC_INVALID_REQUEST, "Invalid Request: 'method' must be a string", NULL);
    json_t *params = json_object_get(msg, "params");
    if (!id) {
        handle_notification(srv, json_string_value(method));
        return NULL;
    }
    if (params && !json_is_object(params))
        return rpc_error(id, json_is_array(params) ? RPC_INVALID_PARAMS : RPC_INVALID_REQUEST,
                         "'params' must be an object", NULL);
    json_t *empty = json_object();
    request rq = {id, json_string_value(method), params ? params : empty, false};
    srv->request_id = id;
    srv->cancelled = false;
    json_t *res = dispatch(srv, &rq);
    srv->request_id = NULL;
    json_decref(empty);
    if (srv->cancelled) {
        /* The cancellation rules: no response to a cancelled request. */
        json_decref(res);
        return NULL;
    }
    return res;
}

json_t *mcp_reply_during_run(const char *line, size_t len) {
    if (!memmem(line, len, "ping", 4)) return NULL; /* cheap test first */
    json_t *msg = json_loadb(line, len, JSON_ALLOW_NUL, NULL);
    json_t *id = json_object_get(msg, "id"), *method = json_object_get(msg, "method"),
           *jsonrpc = json_object_get(msg, "jsonrpc"), *params = json_object_get(msg, "params");
    json_t *reply = NULL;
    if (json_is_object(msg) && valid_id(id) && json_is_string(method) && strcmp(json_string_value(method), "ping") == 0 &&
        json_is_string(jsonrpc) && strcmp(json_string_value(jsonrpc), "2.0") == 0 && (!params || json_is_object(params))) {
        json_t *empty = json_object();
        request rq = {id, "ping", params ? params : empty, false};
        json_t *bad = check_modern_meta(&rq);
        /* modern pings (an error) and malformed _meta wait for the main loop */
        if (!bad && !rq.modern) reply = rpc_result(&rq, json_object());
        json_decref(bad);
        json_decref(empty);
    }
    json_decref(msg);
    return reply;
}

json_t *mcp_handle_line(mcp_server *srv, const char *line, size_t len) {
    json_error_t jerr;
    /* NUL is allowed inside strings (Python source may contain it); any JSON
     * value parses, so that "42" is an invalid request, not a parse error. */
    json_t *msg = json_loadb(line, len, JSON_ALLOW_NUL | JSON_DECODE_ANY, &jerr);
    if (!msg) {
        char text[300];
        snprintf(text, sizeof text, "Parse error: %s (column %d)", jerr.text, jerr.column);
        return rpc_error(NULL, RPC_PARSE_ERROR, text, NULL);
    }
    json_t *res = handle_message(srv, msg);
    json_decref(msg);
    return res;
}
