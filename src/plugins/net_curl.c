/*
 * net_curl.c - one HTTP exchange for the network grant, on Debian's libcurl.
 *
 * libcurl is loaded with dlopen the first time a network grant is made:
 * linked normally it drags about 30 libraries into every airlock process
 * (about 7 ms of start-up measured here), for a grant most runs never use.
 *
 * Each exchange gets a fresh easy handle configured so that libcurl can do
 * nothing on its own: no redirects (net.c checks every hop), no proxy from
 * the environment, no cookies, no netrc, no alt-svc or HSTS, http and https
 * only, and it may connect only to the addresses net.c resolved and
 * checked: they are pinned with CURLOPT_RESOLVE, and the open-socket
 * callback refuses any other address, so a second DNS answer (rebinding)
 * cannot move the connection. Sizes and time are capped by callbacks that
 * abort the transfer.
 */
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <ctype.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plugins/net_int.h"

/* ---- libcurl, loaded on demand ---------------------------------------------------- */

static struct {
    __typeof__(&curl_global_init) global_init;
    __typeof__(&curl_easy_init) easy_init;
    __typeof__(&curl_easy_setopt) setopt;
    __typeof__(&curl_easy_perform) perform;
    __typeof__(&curl_easy_getinfo) getinfo;
    __typeof__(&curl_easy_cleanup) cleanup;
    __typeof__(&curl_easy_strerror) strerror;
    __typeof__(&curl_slist_append) slist_append;
    __typeof__(&curl_slist_free_all) slist_free_all;
    __typeof__(&curl_url) url;
    __typeof__(&curl_url_set) url_set;
    __typeof__(&curl_url_get) url_get;
    __typeof__(&curl_url_cleanup) url_cleanup;
    __typeof__(&curl_free) free;
} C;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void *sym(void *dl, const char *name) {
    void *p = dlsym(dl, name);
    if (!p && !load_error[0]) snprintf(load_error, sizeof load_error, "libcurl lacks %s", name);
    return p;
}

static void load(void) {
    void *dl = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        snprintf(load_error, sizeof load_error, "cannot load libcurl.so.4 (install libcurl4): %s", dlerror());
        return;
    }
    *(void **)&C.global_init = sym(dl, "curl_global_init");
    *(void **)&C.easy_init = sym(dl, "curl_easy_init");
    *(void **)&C.setopt = sym(dl, "curl_easy_setopt");
    *(void **)&C.perform = sym(dl, "curl_easy_perform");
    *(void **)&C.getinfo = sym(dl, "curl_easy_getinfo");
    *(void **)&C.cleanup = sym(dl, "curl_easy_cleanup");
    *(void **)&C.strerror = sym(dl, "curl_easy_strerror");
    *(void **)&C.slist_append = sym(dl, "curl_slist_append");
    *(void **)&C.slist_free_all = sym(dl, "curl_slist_free_all");
    *(void **)&C.url = sym(dl, "curl_url");
    *(void **)&C.url_set = sym(dl, "curl_url_set");
    *(void **)&C.url_get = sym(dl, "curl_url_get");
    *(void **)&C.url_cleanup = sym(dl, "curl_url_cleanup");
    *(void **)&C.free = sym(dl, "curl_free");
    /* curl_global_init is thread-safe from 7.84; Debian 12 ships 7.88 */
    if (!load_error[0] && C.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        snprintf(load_error, sizeof load_error, "libcurl failed to initialise");
    /* the handle stays open for the life of the process: libcurl keeps state */
}

bool net_curl_load(char *err, size_t size) {
    pthread_once(&load_once, load);
    if (load_error[0]) snprintf(err, size, "%s", load_error);
    return !load_error[0];
}

/* ---- URLs ------------------------------------------------------------------------- */

static char *url_part(CURLU *u, CURLUPart part, unsigned flags) {
    char *p = NULL;
    if (C.url_get(u, part, &p, flags) != CURLUE_OK) return NULL;
    char *copy = strdup(p);
    C.free(p);
    return copy;
}

void net_url_free(net_url *u) {
    free(u->url);
    free(u->scheme);
    free(u->host);
    memset(u, 0, sizeof *u);
}

bool net_url_parse(const char *url, net_url *out, char *err, size_t size) {
    memset(out, 0, sizeof *out);
    CURLU *u = C.url();
    if (!u) return snprintf(err, size, "out of memory"), false;
    CURLUcode rc = C.url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    char *port = NULL;
    if (rc == CURLUE_OK) {
        out->scheme = url_part(u, CURLUPART_SCHEME, 0);
        out->host = url_part(u, CURLUPART_HOST, 0);
        if (!out->host && out->scheme) out->host = strdup(""); /* file:///x: refused by scheme, not parsed */
        port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
        out->url = url_part(u, CURLUPART_URL, 0);
    }
    C.url_cleanup(u);
    bool ok = rc == CURLUE_OK && out->scheme && out->host && port && out->url;
    if (ok) {
        for (char *p = out->host; *p; p++) *p = (char)tolower((unsigned char)*p);
        for (char *p = out->scheme; *p; p++) *p = (char)tolower((unsigned char)*p);
        out->port = atoi(port);
    }
    free(port);
    if (!ok) {
        snprintf(err, size, "Invalid URL '%.200s': %s", url, rc == CURLUE_OK ? "incomplete" : "cannot be parsed");
        net_url_free(out);
    }
    return ok;
}

/* ---- one exchange -------------------------------------------------------------------- */

typedef struct xfer {
    net_response *r;
    const net_addrs *addrs;
    size_t header_bytes, cap;
    uint8_t *body;
    bool too_big, stopped, unpinned;
} xfer;

static size_t on_body(char *data, size_t size, size_t n, void *ud) {
    xfer *x = ud;
    size_t len = size * n;
    if (len > x->cap - x->r->len) {
        x->too_big = true;
        return 0; /* aborts the transfer */
    }
    uint8_t *grown = realloc(x->r->body, x->r->len + len + 1);
    if (!grown) return 0;
    memcpy(grown + x->r->len, data, len);
    x->r->body = grown;
    x->r->len += len;
    return len;
}

static void clear_headers(net_response *r) {
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    r->nheaders = 0;
    free(r->reason);
    r->reason = NULL;
}

static char *trimmed(const char *s, size_t len) {
    while (len && (*s == ' ' || *s == '\t')) s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n')) len--;
    return strndup(s, len);
}

/* "HTTP/1.1 200 OK": a new response begins (1xx ones come before the last). */
static void status_line(net_response *r, const char *line, size_t len) {
    clear_headers(r);
    const char *sp = memchr(line, ' ', len);
    const char *reason = sp ? memchr(sp + 1, ' ', len - (size_t)(sp + 1 - line)) : NULL;
    size_t rlen = reason ? len - (size_t)(reason + 1 - line) : 0;
    r->reason = trimmed(reason ? reason + 1 : "", rlen);
}

static size_t on_header(char *data, size_t size, size_t n, void *ud) {
    xfer *x = ud;
    size_t len = size * n;
    x->header_bytes += len;
    if (x->header_bytes > NET_MAX_HEADER_BYTES) {
        x->too_big = true;
        return 0;
    }
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        status_line(x->r, data, len);
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon) return len; /* the blank line at the end */
    net_header *grown = realloc(x->r->headers, (x->r->nheaders + 1) * sizeof *grown);
    if (!grown) return 0;
    x->r->headers = grown;
    net_header *h = &grown[x->r->nheaders];
    h->name = trimmed(data, (size_t)(colon - data));
    h->value = trimmed(colon + 1, len - (size_t)(colon + 1 - data));
    if (h->name && h->value) x->r->nheaders++;
    else free(h->name), free(h->value);
    return len;
}

/* Called often during the transfer: the sandbox's deadline and interrupt. */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
    (void)dt, (void)dn, (void)ut, (void)un;
    xfer *x = ud;
    x->stopped = host_stop_pending() != AIRLOCK_LIMIT_NONE;
    return x->stopped;
}

static bool same_addr(const struct sockaddr *a, const struct sockaddr_storage *b) {
    if (a->sa_family != b->ss_family) return false;
    if (a->sa_family == AF_INET)
        return memcmp(&((const struct sockaddr_in *)a)->sin_addr, &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
    if (a->sa_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
                      16) == 0;
    return false;
}

/* libcurl asks for a socket to an address: only the pinned ones get one. */
static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a) {
    xfer *x = ud;
    bool pinned = false;
    for (size_t i = 0; purpose == CURLSOCKTYPE_IPCXN && i < x->addrs->n; i++)
        pinned |= same_addr(&a->addr, &x->addrs->addr[i]);
    if (!pinned) {
        x->unpinned = true;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* "host:port:addr1,addr2": the checked addresses, for CURLOPT_RESOLVE. */
static struct curl_slist *resolve_list(const net_hop *hop) {
    char entry[600];
    const char *h = hop->url->host;
    size_t n = (size_t)snprintf(entry, sizeof entry, "%s:%d:", h, hop->url->port);
    for (size_t i = 0; i < hop->addrs->n && n < sizeof entry; i++)
        n += (size_t)snprintf(entry + n, sizeof entry - n, "%s%s", i ? "," : "", hop->addrs->text[i]);
    return h[0] == '[' ? NULL : C.slist_append(NULL, entry); /* IPv6 literals are not resolved */
}

/* The request headers, plus two that undo libcurl defaults. */
static struct curl_slist *header_list(const net_hop *hop) {
    struct curl_slist *l = NULL;
    bool has_type = false;
    for (const char *const *h = hop->headers; h && *h; h++) {
        has_type |= strncasecmp(*h, "Content-Type:", 13) == 0;
        l = C.slist_append(l, *h);
    }
    l = C.slist_append(l, "Expect:"); /* no 100-continue round trip */
    if (hop->has_body && !has_type) l = C.slist_append(l, "Content-Type:"); /* no form type made up */
    return l;
}

static void set_method(CURL *h, const net_hop *hop) {
    const char *m = hop->method;
    if (hop->has_body) {
        C.setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)hop->body_len);
        C.setopt(h, CURLOPT_COPYPOSTFIELDS, hop->body_len ? (const char *)hop->body : "");
        if (strcmp(m, "POST") != 0) C.setopt(h, CURLOPT_CUSTOMREQUEST, m);
    } else if (strcmp(m, "GET") == 0) {
        C.setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(m, "HEAD") == 0) {
        C.setopt(h, CURLOPT_NOBODY, 1L);
    } else if (strcmp(m, "POST") == 0) {
        C.setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        C.setopt(h, CURLOPT_COPYPOSTFIELDS, "");
    } else {
        C.setopt(h, CURLOPT_CUSTOMREQUEST, m);
    }
}

/* Everything that keeps libcurl to this one checked exchange. */
static void confine(CURL *h, const net_hop *hop, xfer *x) {
    C.setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    C.setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    C.setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    C.setopt(h, CURLOPT_PROXY, "");  /* "" ignores http_proxy & co. */
    C.setopt(h, CURLOPT_NOPROXY, "*");
    C.setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
    C.setopt(h, CURLOPT_ALTSVC_CTRL, 0L);
    C.setopt(h, CURLOPT_HSTS_CTRL, 0L);
    C.setopt(h, CURLOPT_NOSIGNAL, 1L);
    C.setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    C.setopt(h, CURLOPT_OPENSOCKETDATA, x);
    C.setopt(h, CURLOPT_TIMEOUT_MS, hop->timeout_ms);
    C.setopt(h, CURLOPT_CONNECTTIMEOUT_MS, hop->timeout_ms);
    C.setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)NET_MAX_BODY);
    C.setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    C.setopt(h, CURLOPT_WRITEDATA, x);
    C.setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    C.setopt(h, CURLOPT_HEADERDATA, x);
    C.setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    C.setopt(h, CURLOPT_XFERINFODATA, x);
    C.setopt(h, CURLOPT_NOPROGRESS, 0L);
}

static net_error classify(CURLcode rc, const xfer *x) {
    if (x->unpinned) return NET_UNPINNED;
    if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) return NET_TOO_BIG;
    if (x->stopped) return NET_STOPPED;
    switch (rc) {
    case CURLE_OK: return NET_OK;
    case CURLE_OPERATION_TIMEDOUT: return NET_TIMEOUT;
    case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION: case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE: case CURLE_SSL_ISSUER_ERROR: return NET_SSL;
    case CURLE_COULDNT_RESOLVE_HOST: case CURLE_COULDNT_CONNECT: case CURLE_GOT_NOTHING: case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR: case CURLE_PARTIAL_FILE: case CURLE_WEIRD_SERVER_REPLY: return NET_CONNECT;
    default: return NET_OTHER;
    }
}

static void finish(CURL *h, CURLcode rc, const xfer *x, net_response *r) {
    r->error = classify(rc, x);
    if (r->error != NET_OK) {
        snprintf(r->message, sizeof r->message, "%s", C.strerror(rc));
        return;
    }
    char *loc = NULL;
    C.getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    if (C.getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc) r->location = strdup(loc);
}

void net_curl_perform(const net_hop *hop, net_response *r) {
    memset(r, 0, sizeof *r);
    xfer x = {.r = r, .addrs = hop->addrs, .cap = NET_MAX_BODY};
    CURL *h = C.easy_init();
    struct curl_slist *resolve = resolve_list(hop), *headers = header_list(hop);
    if (!h || !headers) {
        r->error = NET_OTHER;
        snprintf(r->message, sizeof r->message, "out of memory");
    } else {
        confine(h, hop, &x);
        if (resolve) C.setopt(h, CURLOPT_RESOLVE, resolve);
        C.setopt(h, CURLOPT_URL, hop->url->url);
        C.setopt(h, CURLOPT_HTTPHEADER, headers);
        C.setopt(h, CURLOPT_ACCEPT_ENCODING, ""); /* decoded size is what on_body caps */
        C.setopt(h, CURLOPT_USERAGENT, "python-requests/2 (airlock)");
        set_method(h, hop);
        finish(h, C.perform(h), &x, r);
    }
    if (h) C.cleanup(h);
    C.slist_free_all(resolve);
    C.slist_free_all(headers);
}

void net_response_free(net_response *r) {
    clear_headers(r);
    free(r->headers);
    free(r->body);
    free(r->location);
    memset(r, 0, sizeof *r);
}
