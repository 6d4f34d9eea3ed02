/*
 * net_int.h - the network grant's internals, shared by net.c (grants, the
 * policy, redirects, the plugin) and net_curl.c (one HTTP exchange with
 * libcurl, loaded on first use).
 */
#ifndef AIRLOCK_PLUGINS_NET_INT_H
#define AIRLOCK_PLUGINS_NET_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "plugins/builtin.h"

#define NET_MAX_BODY (4u << 20)        /* response body: the transfer is aborted past it */
#define NET_MAX_HEADER_BYTES (256u << 10)
#define NET_MAX_REDIRECTS 30           /* requests' default */
#define NET_DEFAULT_TIMEOUT_MS 30000   /* when the guest gives none (requests: forever) */
#define NET_MAX_ADDRS 8

typedef struct net_grant {
    char *host;       /* lower case; an IPv6 literal in brackets, as in URLs */
    int port;         /* 0: the scheme's default port */
    bool private_ok;  /* "HOST[:PORT]:private": the name may lead to private addresses */
} net_grant;

typedef struct host_net {
    net_grant *grants;
    size_t ngrants;
} host_net;

/* The addresses a connection may use: resolved and checked by net.c. */
typedef struct net_addrs {
    struct sockaddr_storage addr[NET_MAX_ADDRS];
    char text[NET_MAX_ADDRS][48];      /* numeric form, IPv6 in brackets */
    size_t n;
} net_addrs;

/* A parsed, normalized URL. */
typedef struct net_url {
    char *url;        /* normalized, absolute */
    char *scheme;     /* "http" or "https" */
    char *host;       /* lower case, IPv6 in brackets */
    int port;         /* explicit or the scheme's default */
} net_url;

/* One request/response exchange, no redirect followed. */
typedef struct net_hop {
    const char *method;
    const net_url *url;
    const net_addrs *addrs;
    const char *const *headers;        /* "Name: value", NULL-terminated */
    const uint8_t *body;
    size_t body_len;
    bool has_body;
    long timeout_ms;
} net_hop;

typedef enum net_error {
    NET_OK = 0,
    NET_CONNECT,      /* requests.ConnectionError */
    NET_SSL,          /* requests.exceptions.SSLError */
    NET_TIMEOUT,      /* requests.Timeout */
    NET_STOPPED,      /* the sandbox's deadline or interrupt */
    NET_TOO_BIG,      /* the response passed NET_MAX_BODY */
    NET_UNPINNED,     /* libcurl tried an address not checked: refused */
    NET_OTHER
} net_error;

typedef struct net_header {
    char *name, *value;
} net_header;

typedef struct net_response {
    long status;
    char *reason;
    net_header *headers;
    size_t nheaders;
    uint8_t *body;
    size_t len;
    char *location;   /* the absolute redirect target, if any */
    net_error error;
    char message[256];
} net_response;

/* What a resolved address is, for the policy (net_addr.c). */
typedef enum net_addr_kind {
    NET_ADDR_PUBLIC = 0,  /* public unicast: any granted name may lead here */
    NET_ADDR_PRIVATE,     /* private use (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7):
                           * only a name granted with :private */
    NET_ADDR_LOOPBACK,    /* this machine: only "localhost" */
    NET_ADDR_RESERVED     /* everything else: only the address granted literally */
} net_addr_kind;

typedef struct net_addr_class {
    net_addr_kind kind;
    const char *what;     /* the range, e.g. "loopback 127.0.0.0/8"; NULL if public */
    const char *via;      /* "NAT64", "6to4", ...: an IPv4 address inside IPv6 judged; else NULL */
} net_addr_class;

net_addr_class net_addr_classify(const struct sockaddr *sa);
net_addr_class net_addr_classify6(const uint8_t a[16]);
/* "loopback 127.0.0.0/8", "NAT64 of private 10.0.0.0/8", ... */
void net_addr_describe(const net_addr_class *c, char *buf, size_t size);

/* Load libcurl (once per process); false with the reason in err. */
bool net_curl_load(char *err, size_t size);
/* Parse and normalize url; false with the reason in err. */
bool net_url_parse(const char *url, net_url *out, char *err, size_t size);
void net_url_free(net_url *u);
/* Run one exchange; r->error says how it ended. */
void net_curl_perform(const net_hop *hop, net_response *r);
void net_response_free(net_response *r);

#endif
