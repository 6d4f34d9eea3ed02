/*
 * net_addr.c - what kind of address a granted host name resolved to.
 *
 * A name granted with --allow-net may lead only to public unicast
 * addresses: a hostile or careless DNS answer must not turn it into a path
 * to this machine, the local network or a cloud metadata service. The
 * tables below follow the IANA special-purpose registries; an IPv6 address
 * that carries an IPv4 one (mapped, NAT64, 6to4, Teredo) is judged by the
 * IPv4 address it leads to.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "plugins/net_int.h"

typedef struct range4 {
    uint32_t net;
    unsigned bits;
    net_addr_kind kind;
    const char *what;
} range4;

typedef struct range6 {
    uint8_t net[16];
    unsigned bits;
    net_addr_kind kind;
    const char *what;
} range6;

#define V4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (uint32_t)(d))

/* First match wins: single addresses before the ranges holding them. */
static const range4 ranges4[] = {
    {V4(100, 100, 100, 200), 32, NET_ADDR_RESERVED, "a cloud metadata service"},
    {V4(169, 254, 169, 254), 32, NET_ADDR_RESERVED, "a cloud metadata service"},
    {V4(255, 255, 255, 255), 32, NET_ADDR_RESERVED, "broadcast"},
    {V4(0, 0, 0, 0), 8, NET_ADDR_RESERVED, "\"this network\" 0.0.0.0/8"},
    {V4(10, 0, 0, 0), 8, NET_ADDR_PRIVATE, "private 10.0.0.0/8"},
    {V4(100, 64, 0, 0), 10, NET_ADDR_PRIVATE, "shared address space 100.64.0.0/10"},
    {V4(127, 0, 0, 0), 8, NET_ADDR_LOOPBACK, "loopback 127.0.0.0/8"},
    {V4(169, 254, 0, 0), 16, NET_ADDR_RESERVED, "link-local 169.254.0.0/16"},
    {V4(172, 16, 0, 0), 12, NET_ADDR_PRIVATE, "private 172.16.0.0/12"},
    {V4(192, 0, 0, 0), 24, NET_ADDR_RESERVED, "IETF protocol assignments 192.0.0.0/24"},
    {V4(192, 0, 2, 0), 24, NET_ADDR_RESERVED, "documentation 192.0.2.0/24"},
    {V4(192, 88, 99, 0), 24, NET_ADDR_RESERVED, "6to4 relay anycast 192.88.99.0/24"},
    {V4(192, 168, 0, 0), 16, NET_ADDR_PRIVATE, "private 192.168.0.0/16"},
    {V4(198, 18, 0, 0), 15, NET_ADDR_RESERVED, "benchmarking 198.18.0.0/15"},
    {V4(198, 51, 100, 0), 24, NET_ADDR_RESERVED, "documentation 198.51.100.0/24"},
    {V4(203, 0, 113, 0), 24, NET_ADDR_RESERVED, "documentation 203.0.113.0/24"},
    {V4(224, 0, 0, 0), 4, NET_ADDR_RESERVED, "multicast 224.0.0.0/4"},
    {V4(240, 0, 0, 0), 4, NET_ADDR_RESERVED, "reserved 240.0.0.0/4"},
};

/* IPv6 ranges that carry no IPv4 address (those are handled in code). */
static const range6 ranges6[] = {
    {{0xfd, 0x00, 0x0e, 0xc2, [14] = 0x02, [15] = 0x54}, 128, NET_ADDR_RESERVED, "a cloud metadata service"},
    {{0}, 128, NET_ADDR_RESERVED, "unspecified ::"},
    {{[15] = 1}, 128, NET_ADDR_LOOPBACK, "loopback ::1"},
    {{0x00, 0x64, 0xff, 0x9b, 0x00, 0x01}, 48, NET_ADDR_RESERVED, "local-use NAT64 64:ff9b:1::/48"},
    {{0xfc}, 7, NET_ADDR_PRIVATE, "unique local fc00::/7"},
    {{0xfe, 0x80}, 10, NET_ADDR_RESERVED, "link-local fe80::/10"},
    {{0xfe, 0xc0}, 10, NET_ADDR_RESERVED, "site-local fec0::/10"},
    {{0xff}, 8, NET_ADDR_RESERVED, "multicast ff00::/8"},
    {{0x20, 0x01, 0x0d, 0xb8}, 32, NET_ADDR_RESERVED, "documentation 2001:db8::/32"},
    {{0x3f, 0xff}, 20, NET_ADDR_RESERVED, "documentation 3fff::/20"},
    {{0x20, 0x01, 0x00, 0x02, 0x00, 0x00}, 48, NET_ADDR_RESERVED, "benchmarking 2001:2::/48"},
    {{0x20, 0x01, 0x00, 0x10}, 28, NET_ADDR_RESERVED, "ORCHID 2001:10::/28"},
    {{0x5f, 0x00}, 16, NET_ADDR_RESERVED, "SRv6 SIDs 5f00::/16"},
    {{0x20}, 3, NET_ADDR_PUBLIC, NULL}, /* global unicast: everything else in it is public */
    {{0}, 0, NET_ADDR_RESERVED, "outside global unicast 2000::/3"},
};

static bool prefix_match(const uint8_t *a, const uint8_t *net, unsigned bits) {
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(a, net, whole) != 0) return false;
    if (!rest) return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[whole] & mask) == (net[whole] & mask);
}

static net_addr_class classify4(uint32_t a) {
    for (size_t i = 0; i < sizeof ranges4 / sizeof *ranges4; i++) {
        const range4 *r = &ranges4[i];
        uint32_t mask = r->bits ? ~0u << (32 - r->bits) : 0;
        if ((a & mask) == r->net) return (net_addr_class){r->kind, r->what, NULL};
    }
    return (net_addr_class){NET_ADDR_PUBLIC, NULL, NULL};
}

static uint32_t v4_at(const uint8_t *p) { return V4(p[0], p[1], p[2], p[3]); }

/* The IPv4 address an IPv6 one leads to, if it carries one: true with
 * *v4 and *how set. */
static bool embedded_v4(const uint8_t *a, uint32_t *v4, const char **how) {
    static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
    static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};
    static const uint8_t teredo[4] = {0x20, 0x01, 0x00, 0x00};
    if (memcmp(a, mapped, 12) == 0) *v4 = v4_at(a + 12), *how = "IPv4-mapped";
    else if (memcmp(a, nat64, 12) == 0) *v4 = v4_at(a + 12), *how = "NAT64";
    else if (a[0] == 0x20 && a[1] == 0x02) *v4 = v4_at(a + 2), *how = "6to4";
    else if (memcmp(a, teredo, 4) == 0) *v4 = ~v4_at(a + 12), *how = "Teredo"; /* the client, obfuscated */
    else return false;
    return true;
}

net_addr_class net_addr_classify6(const uint8_t a[16]) {
    uint32_t v4;
    const char *how;
    if (embedded_v4(a, &v4, &how)) {
        net_addr_class c = classify4(v4);
        /* Teredo also names its server: both ends must be public */
        if (c.kind == NET_ADDR_PUBLIC && strcmp(how, "Teredo") == 0) c = classify4(v4_at(a + 4));
        c.via = how;
        return c;
    }
    for (size_t i = 0; i < sizeof ranges6 / sizeof *ranges6; i++) {
        const range6 *r = &ranges6[i];
        if (prefix_match(a, r->net, r->bits)) return (net_addr_class){r->kind, r->what, NULL};
    }
    return (net_addr_class){NET_ADDR_RESERVED, "reserved", NULL}; /* not reached: the table ends with ::/0 */
}

net_addr_class net_addr_classify(const struct sockaddr *sa) {
    if (sa->sa_family == AF_INET) return classify4(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    if (sa->sa_family == AF_INET6) return net_addr_classify6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return (net_addr_class){NET_ADDR_RESERVED, "not an internet address", NULL};
}

void net_addr_describe(const net_addr_class *c, char *buf, size_t size) {
    if (c->via) snprintf(buf, size, "%s of %s", c->via, c->what ? c->what : "a public address");
    else snprintf(buf, size, "%s", c->what ? c->what : "public");
}
