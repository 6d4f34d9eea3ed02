/*
 * net.c - the built-in plugin behind --allow-net: `import requests` in the
 * guest reaches exactly the granted origins over http and https.
 *
 * The policy, all of it checked here before libcurl (net_curl.c) sends a
 * byte, and again at every redirect hop (libcurl follows none itself):
 * - the URL's scheme is http or https, and its host and port match a grant
 *   ("HOST" alone: the scheme's default port only);
 * - the host is resolved here, once per hop, and the connection is pinned
 *   to those addresses; a granted host *name* reaches only public unicast
 *   addresses (net_addr.c classifies them), so a hostile DNS answer cannot
 *   turn it into a path to this machine, the local network or a cloud
 *   metadata service; "HOST:private" also lets it reach private-use
 *   addresses, "localhost" reaches only loopback, and an address granted
 *   literally is reached as it is;
 * - the guest may not set Host (it would pick another site behind the same
 *   address), nor the framing headers libcurl computes;
 * - responses are capped in size and the exchange in time, by the guest's
 *   timeout= and never past the sandbox's deadline.
 * A refusal raises PermissionError and is audited as denied.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "abi/abi.h"
#include "plugins/host.h"
#include "plugins/net_int.h"
#include "plugins/runtime.h"

#define MAX_HEADERS 100
#define MAX_HEADER_VALUE 8192

/* ---- grants -------------------------------------------------------------------- */

static int default_port(const char *scheme) { return strcmp(scheme, "https") == 0 ? 443 : 80; }

#define PRIVATE_SUFFIX ":private"

/* "HOST[:PORT][:private]", IPv6 as "[::1]:8080": host lower-cased. */
static bool parse_grant(const char *whole, net_grant *out) {
    char spec[300];
    size_t wlen = strlen(whole), slen = strlen(PRIVATE_SUFFIX);
    out->private_ok = wlen > slen && strcmp(whole + wlen - slen, PRIVATE_SUFFIX) == 0;
    if (wlen >= sizeof spec) return false;
    snprintf(spec, sizeof spec, "%.*s", (int)(out->private_ok ? wlen - slen : wlen), whole);
    const char *end = spec[0] == '[' ? strchr(spec, ']') : strrchr(spec, ':');
    const char *colon = spec[0] == '[' ? (end && end[1] == ':' ? end + 1 : NULL) : end;
    if (spec[0] == '[' && (!end || (end[1] && end[1] != ':'))) return false;
    if (spec[0] != '[' && strchr(spec, ':') != end) return false; /* IPv6 needs brackets */
    size_t hlen = colon ? (size_t)(colon - spec) : strlen(spec);
    out->port = 0;
    if (colon) {
        char *stop;
        long p = strtol(colon + 1, &stop, 10);
        if (*stop || stop == colon + 1 || p < 1 || p > 65535) return false;
        out->port = (int)p;
    }
    if (hlen == 0 || hlen > 253) return false;
    for (size_t i = 0; i < hlen; i++)
        if (!(isalnum((unsigned char)spec[i]) || strchr(".-_[]:", spec[i]))) return false;
    if (!(out->host = strndup(spec, hlen))) return false;
    for (char *p = out->host; *p; p++) *p = (char)tolower((unsigned char)*p);
    return true;
}

/* The grant that allows u, or NULL. */
static const net_grant *granted(const host_net *n, const net_url *u) {
    if (strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0) return NULL;
    for (size_t i = 0; i < n->ngrants; i++) {
        const net_grant *g = &n->grants[i];
        int want = g->port ? g->port : default_port(u->scheme);
        if (strcmp(g->host, u->host) == 0 && u->port == want) return g;
    }
    return NULL;
}

static void grant_list(const host_net *n, char *buf, size_t size) {
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n->ngrants && len < size; i++) {
        const net_grant *g = &n->grants[i];
        const char *priv = g->private_ok ? " (private addresses too)" : "";
        if (g->port) len += (size_t)snprintf(buf + len, size - len, "%s%s:%d%s", i ? ", " : "", g->host, g->port, priv);
        else len += (size_t)snprintf(buf + len, size - len, "%s%s (ports 80, 443)%s", i ? ", " : "", g->host, priv);
    }
}

static void net_free(void *state) {
    host_net *n = state;
    if (!n) return;
    for (size_t i = 0; i < n->ngrants; i++) free(n->grants[i].host);
    free(n->grants);
    free(n);
}

/* The grants outlive every sandbox: only freeing them is hooked. */
static const host_builtin_hooks net_hooks = {NULL, NULL, NULL, net_free};

/* ---- addresses ------------------------------------------------------------------- */

/* The host as given for a literal address (brackets off), else NULL. */
static bool literal_host(const char *host, char *bare, size_t size) {
    size_t len = strlen(host);
    if (host[0] == '[' && len >= 2) snprintf(bare, size, "%.*s", (int)(len - 2), host + 1);
    else snprintf(bare, size, "%s", host);
    unsigned char buf[16];
    return inet_pton(AF_INET, bare, buf) == 1 || inet_pton(AF_INET6, bare, buf) == 1;
}

/* May a connection granted by g use address sa? A literal grant reaches
 * exactly its address; "localhost" only this machine; any other name only
 * public addresses, and private ones too with :private. */
static bool address_allowed(const net_grant *g, bool literal, const net_addr_class *c) {
    if (literal) return true;
    if (strcmp(g->host, "localhost") == 0) return c->kind == NET_ADDR_LOOPBACK;
    return c->kind == NET_ADDR_PUBLIC || (c->kind == NET_ADDR_PRIVATE && g->private_ok);
}

static void numeric(const struct addrinfo *ai, char *buf, size_t size) {
    const void *src = ai->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                               : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
    if (!inet_ntop(ai->ai_family, src, buf, (socklen_t)size)) buf[0] = '\0';
}

static void add_addr(net_addrs *out, const struct addrinfo *ai) {
    for (size_t i = 0; i < out->n; i++)
        if (memcmp(&out->addr[i], ai->ai_addr, ai->ai_addrlen) == 0) return;
    if (out->n == NET_MAX_ADDRS || ai->ai_addrlen > sizeof out->addr[0]) return;
    memcpy(&out->addr[out->n], ai->ai_addr, ai->ai_addrlen);
    char num[INET6_ADDRSTRLEN];
    numeric(ai, num, sizeof num);
    snprintf(out->text[out->n], sizeof out->text[0], ai->ai_family == AF_INET6 ? "[%s]" : "%s", num);
    out->n++;
}

/* The first refused address and why, for the message. */
static void note_refused(const struct addrinfo *ai, const net_addr_class *c, char *buf, size_t size) {
    char num[INET6_ADDRSTRLEN], what[120];
    numeric(ai, num, sizeof num);
    net_addr_describe(c, what, sizeof what);
    snprintf(buf, size, "%s: %s", num, what);
}

static int refusal(const net_grant *g, const char *first, bool private, char *err, size_t size) {
    if (strcmp(g->host, "localhost") == 0) {
        snprintf(err, size, "localhost resolves to %s, not to this machine; only loopback addresses are reached "
                 "through the name localhost", first);
    } else {
        snprintf(err, size, "%s resolves only to addresses a granted name may not lead to (%s); a name reaches "
                 "public addresses only: grant the address itself to reach it%s", g->host, first,
                 private && !g->private_ok ? ", or grant HOST:PORT:private for a name on a private network" : "");
    }
    return -2;
}

/* Resolve u's host (granted by g) into the addresses the connection may
 * use: 0, or -1 (no address) / -2 (only refused addresses) with the
 * reason in err. */
static int resolve(const net_grant *g, const net_url *u, net_addrs *out, char *err, size_t size) {
    char bare[256];
    bool literal = literal_host(u->host, bare, sizeof bare);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(bare, NULL, &hints, &res);
    if (rc != 0) {
        snprintf(err, size, "cannot resolve %s: %s", u->host, gai_strerror(rc));
        return -1;
    }
    out->n = 0;
    char first[200] = "";
    bool first_private = false;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6) continue;
        net_addr_class c = net_addr_classify(ai->ai_addr);
        if (address_allowed(g, literal, &c)) add_addr(out, ai);
        else if (!first[0]) note_refused(ai, &c, first, sizeof first), first_private = c.kind == NET_ADDR_PRIVATE;
    }
    freeaddrinfo(res);
    if (out->n) return 0;
    if (first[0]) return refusal(g, first, first_private, err, size);
    snprintf(err, size, "%s has no usable address", u->host);
    return -1;
}

/* ---- the request ------------------------------------------------------------------ */

typedef struct request {
    char method[17];
    char **headers;       /* "Name: value", NULL-terminated */
    size_t nheaders;
    const uint8_t *body;
    size_t body_len;
    bool has_body;
    bool redirects;
    uint64_t deadline_ns;
} request;

static void request_free(request *q) {
    for (size_t i = 0; i < q->nheaders; i++) free(q->headers[i]);
    free(q->headers);
}

static bool tchar(char ch) { return isalnum((unsigned char)ch) || (ch && strchr("!#$%&'*+-.^_`|~", ch)); }

static int check_header(airlock_call *call, const char *name, size_t nlen, const char *value, size_t vlen) {
    if (nlen == 0 || nlen > 256 || strlen(name) != nlen)
        return airlock_call_raise(call, "ValueError", "invalid header name");
    for (size_t i = 0; i < nlen; i++)
        if (!tchar(name[i])) return airlock_call_raise(call, "ValueError", "invalid header name %.80s", name);
    if (vlen > MAX_HEADER_VALUE || strlen(value) != vlen || strpbrk(value, "\r\n"))
        return airlock_call_raise(call, "ValueError", "invalid value for header %.80s", name);
    if (strcasecmp(name, "Host") == 0)
        return airlock_call_deny(call, "requests: the Host header cannot be set in the sandbox (it would select "
                                 "another site behind a granted address)");
    if (strcasecmp(name, "Content-Length") == 0 || strcasecmp(name, "Transfer-Encoding") == 0 ||
        strcasecmp(name, "Connection") == 0)
        return airlock_call_raise(call, "ValueError", "the %s header is set by the sandbox", name);
    return AIRLOCK_OK;
}

/* headers: a list of [name, value] pairs of str. */
static int take_headers(airlock_call *call, const airlock_value *list, request *q) {
    size_t n = airlock_value_len(list);
    if (n > MAX_HEADERS) return airlock_call_raise(call, "ValueError", "more than %d headers", MAX_HEADERS);
    q->headers = calloc(n + 1, sizeof *q->headers);
    if (!q->headers) return airlock_call_raise(call, "MemoryError", "out of host memory");
    for (size_t i = 0; i < n; i++) {
        const airlock_value *pair = airlock_value_item(list, i);
        size_t nlen = 0, vlen = 0;
        const char *name = airlock_value_str(airlock_value_item(pair, 0), &nlen);
        const char *value = airlock_value_str(airlock_value_item(pair, 1), &vlen);
        if (airlock_value_len(pair) != 2 || !name || !value)
            return airlock_call_raise(call, "TypeError", "headers must be str names and str values");
        if (check_header(call, name, nlen, value, vlen)) return AIRLOCK_ERROR;
        if (!(q->headers[i] = malloc(nlen + vlen + 3))) return airlock_call_raise(call, "MemoryError", "out of memory");
        sprintf(q->headers[i], "%s: %s", name, value);
        q->nheaders = i + 1;
    }
    return AIRLOCK_OK;
}

static int take_method(airlock_call *call, request *q) {
    const char *m;
    size_t len;
    if (airlock_call_get_str(call, 0, "method", &m, &len)) return AIRLOCK_ERROR;
    bool ok = len >= 1 && len < sizeof q->method;
    for (size_t i = 0; ok && i < len; i++) ok = m[i] >= 'A' && m[i] <= 'Z';
    if (!ok) return airlock_call_raise(call, "ValueError", "invalid HTTP method %.40s", m);
    if (strcmp(m, "CONNECT") == 0)
        return airlock_call_deny(call, "requests: CONNECT (a tunnel) is not allowed in the sandbox");
    memcpy(q->method, m, len + 1);
    return AIRLOCK_OK;
}

/* The whole exchange may take the guest's timeout (default 30 s), and
 * never longer than the sandbox has left. */
static uint64_t deadline_of(const airlock_value *timeout) {
    double s = airlock_value_float(timeout);
    int64_t ms = airlock_value_kind(timeout) == AIRLOCK_NONE || !(s > 0) ? NET_DEFAULT_TIMEOUT_MS
                 : s > 86400 ? 86400000 : (int64_t)(s * 1000) + 1;
    int64_t left = host_ms_left();
    if (left >= 0 && left < ms) ms = left;
    return abi_monotonic_ns() + (uint64_t)ms * 1000000u;
}

static int take_request(airlock_call *call, request *q) {
    if (take_method(call, q)) return AIRLOCK_ERROR;
    const airlock_value *headers = airlock_call_param(call, 2, "headers");
    if (airlock_value_kind(headers) == AIRLOCK_LIST && take_headers(call, headers, q)) return AIRLOCK_ERROR;
    const airlock_value *body = airlock_call_param(call, 3, "body");
    q->body = airlock_value_bytes(body, &q->body_len);
    q->has_body = airlock_value_kind(body) == AIRLOCK_BYTES;
    const airlock_value *redirects = airlock_call_param(call, 5, "allow_redirects");
    q->redirects = !redirects || airlock_value_bool(redirects);
    q->deadline_ns = deadline_of(airlock_call_param(call, 4, "timeout"));
    return AIRLOCK_OK;
}

/* ---- errors ---------------------------------------------------------------------------- */

static int raise_transfer(airlock_call *call, const net_url *u, const net_response *r) {
    switch (r->error) {
    case NET_TOO_BIG:
        return airlock_call_raise(call, "requests.ResponseTooLarge",
                                  "the response from %s is larger than the sandbox's cap (%u bytes of body, %u of "
                                  "headers): the transfer was aborted", u->url, NET_MAX_BODY, NET_MAX_HEADER_BYTES);
    case NET_STOPPED:
        return airlock_call_raise(call, "requests.Timeout", "%s: the sandbox's time limit was reached or it was "
                                  "interrupted", u->url);
    case NET_TIMEOUT: return airlock_call_raise(call, "requests.Timeout", "%s: %s", u->url, r->message);
    case NET_SSL: return airlock_call_raise(call, "requests.SSLError", "%s: %s", u->url, r->message);
    case NET_UNPINNED:
        return airlock_call_deny(call, "requests: a connection to an address that was not checked was refused");
    default: return airlock_call_raise(call, "requests.ConnectionError", "%s: %s", u->url, r->message);
    }
}

static int deny_origin(airlock_call *call, const host_net *n, const net_url *u, const char *from) {
    char list[400];
    grant_list(n, list, sizeof list);
    if (strcmp(u->scheme, "http") != 0 && strcmp(u->scheme, "https") != 0)
        return airlock_call_deny(call, "requests: only http and https URLs are allowed, not %.20s:", u->scheme);
    if (from)
        return airlock_call_deny(call, "requests: the redirect from %.200s to %.200s leaves the granted origins (%s)",
                                 from, u->url, list);
    return airlock_call_deny(call, "requests: %.200s is not granted to this sandbox (granted: %s); the host grants "
                             "an origin with airlock_runtime_allow_net() (the CLI's --allow-net HOST[:PORT][:private])",
                             u->url, list);
}

/* ---- redirects ------------------------------------------------------------------------------ */

static bool is_redirect(long status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Drop headers whose name is `name` (followed by ':'). */
static void drop_header(request *q, const char *name) {
    size_t len = strlen(name), j = 0;
    for (size_t i = 0; i < q->nheaders; i++) {
        if (strncasecmp(q->headers[i], name, len) == 0 && q->headers[i][len] == ':') free(q->headers[i]);
        else q->headers[j++] = q->headers[i];
    }
    q->nheaders = j;
    if (q->headers) q->headers[j] = NULL;
}

/* As requests does: 303 (and 301/302 except for HEAD, 301 only from POST)
 * become GET without a body; credentials do not follow to another host. */
static void rebuild(request *q, long status, const net_url *from, const net_url *to) {
    bool to_get = (status == 303 && strcmp(q->method, "HEAD") != 0) ||
                  (status == 302 && strcmp(q->method, "HEAD") != 0) || (status == 301 && strcmp(q->method, "POST") == 0);
    if (to_get) {
        strcpy(q->method, "GET");
        q->has_body = false;
        q->body_len = 0;
        drop_header(q, "Content-Type");
    }
    if (strcmp(from->host, to->host) != 0) drop_header(q, "Authorization");
}

/* ---- the host function ------------------------------------------------------------------- */

static airlock_value *header_pairs(const net_response *r) {
    airlock_value *list = airlock_value_new_list();
    for (size_t i = 0; i < r->nheaders; i++) {
        airlock_value *pair = airlock_value_new_list();
        airlock_list_append(pair, airlock_value_new_str(r->headers[i].name));
        airlock_list_append(pair, airlock_value_new_str(r->headers[i].value));
        airlock_list_append(list, pair);
    }
    return list;
}

static airlock_value *answer(const net_response *r, const net_url *u, airlock_value *history) {
    airlock_value *d = airlock_value_new_dict();
    airlock_dict_set(d, "status", airlock_value_new_int(r->status));
    airlock_dict_set(d, "reason", airlock_value_new_str(r->reason ? r->reason : ""));
    airlock_dict_set(d, "headers", header_pairs(r));
    airlock_dict_set(d, "body", airlock_value_new_bytes(r->body ? (const void *)r->body : "", r->len));
    airlock_dict_set(d, "url", airlock_value_new_str(u->url));
    airlock_dict_set(d, "history", history);
    return d;
}

/* Check u and exchange once: AIRLOCK_OK with r filled, or raised. */
static int one_hop(airlock_call *call, const host_net *n, request *q, const net_url *u, const char *from,
                   net_response *r) {
    const net_grant *g = granted(n, u);
    if (!g) return deny_origin(call, n, u, from);
    char err[600];
    net_addrs addrs;
    int rc = resolve(g, u, &addrs, err, sizeof err);
    if (rc == -2) return airlock_call_deny(call, "requests: %s", err);
    if (rc) return airlock_call_raise(call, "requests.ConnectionError", "%s", err);
    uint64_t now = abi_monotonic_ns();
    if (now >= q->deadline_ns) return airlock_call_raise(call, "requests.Timeout", "%s: timed out", u->url);
    net_hop hop = {q->method, u, &addrs, (const char *const *)q->headers, q->body, q->body_len, q->has_body,
                   (long)((q->deadline_ns - now) / 1000000u) + 1};
    net_curl_perform(&hop, r);
    if (r->error == NET_OK) return AIRLOCK_OK;
    rc = raise_transfer(call, u, r);
    net_response_free(r);
    return rc;
}

/* Follow redirects from u (consumed); answer the last response. */
static int exchange(airlock_call *call, const host_net *n, request *q, net_url *u) {
    airlock_value *history = airlock_value_new_list();
    char *from = NULL;
    for (int hop = 0;; hop++) {
        net_response r;
        int rc = one_hop(call, n, q, u, from, &r);
        free(from);
        from = NULL;
        if (rc) break;
        net_url next = {0};
        char err[300];
        if (!q->redirects || !is_redirect(r.status) || !r.location) {
            rc = airlock_call_return(call, answer(&r, u, history));
            history = NULL;
        } else if (hop == NET_MAX_REDIRECTS) {
            rc = airlock_call_raise(call, "requests.TooManyRedirects", "Exceeded %d redirects.", NET_MAX_REDIRECTS);
        } else if (!net_url_parse(r.location, &next, err, sizeof err)) {
            rc = airlock_call_raise(call, "requests.InvalidURL", "redirect: %s", err);
        } else {
            airlock_value *step = airlock_value_new_list();
            airlock_list_append(step, airlock_value_new_int(r.status));
            airlock_list_append(step, airlock_value_new_str(u->url));
            airlock_list_append(history, step);
            rebuild(q, r.status, u, &next);
            from = strdup(u->url);
            net_url_free(u);
            *u = next;
            net_response_free(&r);
            continue;
        }
        net_response_free(&r);
        airlock_value_free(history);
        return rc;
    }
    airlock_value_free(history);
    return AIRLOCK_ERROR;
}

/* _request(method, url, headers, body, timeout, allow_redirects) ->
 * {"status", "reason", "headers", "body", "url", "history"} */
static int net_request(airlock_call *call) {
    const host_net *n = airlock_call_userdata(call);
    const char *url;
    size_t len;
    request q = {0};
    net_url u = {0};
    char err[300];
    int rc = airlock_call_get_str(call, 1, "url", &url, &len);
    if (rc == AIRLOCK_OK) rc = take_request(call, &q);
    if (rc == AIRLOCK_OK && (strlen(url) != len || !net_url_parse(url, &u, err, sizeof err)))
        rc = airlock_call_raise(call, "requests.InvalidURL", "%s", strlen(url) != len ? "NUL in URL" : err);
    if (rc == AIRLOCK_OK) rc = exchange(call, n, &q, &u);
    net_url_free(&u);
    request_free(&q);
    return rc;
}

/* ---- the plugin --------------------------------------------------------------------------- */

static const airlock_function net_functions[] = {
    {"_request", net_request, "one HTTP request to a granted origin"},
    {NULL, NULL, NULL},
};

static airlock_module net_modules[2];
static pthread_once_t net_once = PTHREAD_ONCE_INIT;

static void make_modules(void) {
    net_modules[0] = (airlock_module){"requests", net_functions, host_py_source("requests.py")};
}

static void describe(void *state, char *buf, size_t size) {
    const host_net *n = state;
    char list[700];
    grant_list(n, list, sizeof list);
    snprintf(buf, size, "HTTP and HTTPS requests to %s through import requests; redirects only among these, at "
             "most %u bytes per response; nothing else on the network", list, NET_MAX_BODY);
}

static const airlock_plugin net_plugin = {
    AIRLOCK_PLUGIN_ABI_VERSION, "net", AIRLOCK_VERSION,
    "HTTP and HTTPS requests to the granted origins through import requests", net_modules, NULL, NULL, describe, NULL,
};

/* ---- the grant ------------------------------------------------------------------------------ */

static int ensure_plugin(airlock_runtime *rt, host_registry *reg) {
    for (size_t i = 0; i < reg->nplugins; i++)
        if (reg->plugins[i]->def == &net_plugin) return AIRLOCK_OK;
    char err[300];
    if (!net_curl_load(err, sizeof err)) return runtime_fail(rt, AIRLOCK_DENIED, "network grants: %s", err);
    pthread_once(&net_once, make_modules);
    if (!net_modules[0].python) return runtime_fail(rt, AIRLOCK_NOMEM, "the requests wrapper is missing");
    host_net *n = host_builtin_state(reg, &net_hooks);
    if (!n && (n = calloc(1, sizeof *n)) && !host_builtin_add(reg, &net_hooks, n)) {
        free(n);
        n = NULL;
    }
    if (!n) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    return host_add_plugin_locked(rt, reg, &net_plugin, n, "built-in", NULL);
}

/* Add g (its host is consumed); granting an origin twice merges. */
static int add_grant(airlock_runtime *rt, host_net *n, net_grant g) {
    for (size_t i = 0; i < n->ngrants; i++)
        if (strcmp(n->grants[i].host, g.host) == 0 && n->grants[i].port == g.port) {
            n->grants[i].private_ok |= g.private_ok;
            free(g.host);
            return AIRLOCK_OK;
        }
    net_grant *grown = realloc(n->grants, (n->ngrants + 1) * sizeof *grown);
    if (!grown) {
        free(g.host);
        return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    }
    n->grants = grown;
    n->grants[n->ngrants++] = g;
    return AIRLOCK_OK;
}

int airlock_runtime_allow_net(airlock_runtime *rt, const char *host_port) {
    if (!rt) return AIRLOCK_MISUSE;
    net_grant g = {0};
    if (!host_port || strstr(host_port, "://") || !parse_grant(host_port, &g))
        return runtime_fail(rt, AIRLOCK_MISUSE, "network grant %.200s: expected HOST[:PORT][:private] (IPv6 as "
                            "[::1]:8080)", host_port ? host_port : "(null)");
    pthread_mutex_lock(runtime_lock(rt));
    int rc;
    host_registry *reg = !runtime_booted(rt) ? host_registry_of(rt) : NULL;
    if (runtime_booted(rt))
        rc = runtime_fail(rt, AIRLOCK_MISUSE, "grants must be made before the first sandbox is created");
    else if (!reg)
        rc = runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    else if ((rc = ensure_plugin(rt, reg)) == AIRLOCK_OK)
        rc = add_grant(rt, host_builtin_state(reg, &net_hooks), g), g.host = NULL;
    pthread_mutex_unlock(runtime_lock(rt));
    free(g.host);
    return rc;
}
