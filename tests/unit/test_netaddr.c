/*
 * test_netaddr.c - the classifier behind --allow-net's address policy
 * (src/plugins/net_addr.c): every special range, checked on both sides of
 * each boundary, and IPv4 addresses inside IPv6 judged by what they carry.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "plugins/net_int.h"
#include "testutil.h"

#define PUB NET_ADDR_PUBLIC
#define PRIV NET_ADDR_PRIVATE
#define LOOP NET_ADDR_LOOPBACK
#define RES NET_ADDR_RESERVED

typedef struct expect {
    const char *addr;
    net_addr_kind kind;
} expect;

static const expect cases4[] = {
    /* 0/8 and the first public block */
    {"0.0.0.0", RES}, {"0.255.255.255", RES}, {"1.0.0.0", PUB},
    /* 10/8 */
    {"9.255.255.255", PUB}, {"10.0.0.0", PRIV}, {"10.255.255.255", PRIV}, {"11.0.0.0", PUB},
    /* 100.64/10, with a metadata service inside */
    {"100.63.255.255", PUB}, {"100.64.0.0", PRIV}, {"100.127.255.255", PRIV}, {"100.128.0.0", PUB},
    {"100.100.100.199", PRIV}, {"100.100.100.200", RES}, {"100.100.100.201", PRIV},
    /* 127/8 */
    {"126.255.255.255", PUB}, {"127.0.0.0", LOOP}, {"127.0.0.1", LOOP}, {"127.255.255.255", LOOP},
    {"128.0.0.0", PUB},
    /* 169.254/16 and its metadata service */
    {"169.253.255.255", PUB}, {"169.254.0.0", RES}, {"169.254.169.254", RES}, {"169.254.255.255", RES},
    {"169.255.0.0", PUB},
    /* 172.16/12 */
    {"172.15.255.255", PUB}, {"172.16.0.0", PRIV}, {"172.31.255.255", PRIV}, {"172.32.0.0", PUB},
    /* 192.0.0/24, 192.0.2/24 */
    {"191.255.255.255", PUB}, {"192.0.0.0", RES}, {"192.0.0.255", RES}, {"192.0.1.0", PUB},
    {"192.0.2.0", RES}, {"192.0.2.255", RES}, {"192.0.3.0", PUB},
    /* 192.88.99/24 */
    {"192.88.98.255", PUB}, {"192.88.99.0", RES}, {"192.88.99.255", RES}, {"192.88.100.0", PUB},
    /* 192.168/16 */
    {"192.167.255.255", PUB}, {"192.168.0.0", PRIV}, {"192.168.255.255", PRIV}, {"192.169.0.0", PUB},
    /* 198.18/15 */
    {"198.17.255.255", PUB}, {"198.18.0.0", RES}, {"198.19.255.255", RES}, {"198.20.0.0", PUB},
    /* documentation */
    {"198.51.99.255", PUB}, {"198.51.100.0", RES}, {"198.51.100.255", RES}, {"198.51.101.0", PUB},
    {"203.0.112.255", PUB}, {"203.0.113.0", RES}, {"203.0.113.255", RES}, {"203.0.114.0", PUB},
    /* multicast 224/4, reserved 240/4, broadcast */
    {"223.255.255.255", PUB}, {"224.0.0.0", RES}, {"239.255.255.255", RES}, {"240.0.0.0", RES},
    {"255.255.255.254", RES}, {"255.255.255.255", RES},
    /* ordinary public addresses */
    {"8.8.8.8", PUB}, {"93.184.216.34", PUB},
};

static const expect cases6[] = {
    {"::", RES}, {"::1", LOOP}, {"::2", RES}, {"::127.0.0.1", RES}, /* IPv4-compatible: deprecated */
    /* IPv4-mapped, judged by the IPv4 address */
    {"::ffff:127.0.0.1", LOOP}, {"::ffff:10.1.2.3", PRIV}, {"::ffff:169.254.169.254", RES},
    {"::ffff:8.8.8.8", PUB}, {"::fffe:8.8.8.8", RES}, {"::1:ffff:8.8.8.8", RES},
    /* NAT64 well-known prefix, judged by the IPv4 address; the local-use /48 never */
    {"64:ff9b::7f00:1", LOOP}, {"64:ff9b::a9fe:a9fe", RES}, {"64:ff9b::6464:64c8", RES},
    {"64:ff9b::a00:1", PRIV}, {"64:ff9b::808:808", PUB}, {"64:ff9b::1:808:808", RES},
    {"64:ff9b:1::808:808", RES}, {"64:ff9b:1:ffff:ffff:ffff:ffff:ffff", RES}, {"64:ff9b:2::808:808", RES},
    /* 6to4: the IPv4 address in bits 16..47 */
    {"2002:7f00:1::", LOOP}, {"2002:a9fe:a9fe::1", RES}, {"2002:c0a8:101::1", PRIV},
    {"2002:808:808::1", PUB}, {"2001:ffff:ffff::1", PUB}, {"2003::1", PUB},
    /* Teredo: server in bits 32..63, client obfuscated (inverted) in the last 32 */
    {"2001:0:808:808:0:0:80ff:fffe", LOOP},     /* client ~7f000001 = 127.0.0.1 */
    {"2001:0:808:808:0:0:f7f7:f7f7", PUB},      /* client 8.8.8.8 */
    {"2001:0:a00:1:0:0:f7f7:f7f7", PRIV},       /* server 10.0.0.1 */
    {"2001:0:808:808:0:0:5601:5601", RES},      /* client ~a9fea9fe = 169.254.169.254 */
    {"2001:1::1", PUB},
    /* unique local, with the metadata service inside */
    {"fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RES}, {"fc00::", PRIV}, {"fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PRIV},
    {"fd00:ec2::253", PRIV}, {"fd00:ec2::254", RES}, {"fd00:ec2::255", PRIV},
    /* link-local, site-local, multicast */
    {"fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RES}, {"fe80::", RES}, {"febf::1", RES}, {"fec0::1", RES},
    {"ff00::", RES}, {"ff02::1", RES}, {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RES},
    /* documentation, benchmarking, ORCHID, SRv6 */
    {"2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", PUB}, {"2001:db8::", RES}, {"2001:db8:ffff::1", RES},
    {"2001:db9::", PUB}, {"3ffe:ffff::1", PUB}, {"3fff::1", RES}, {"3fff:fff::1", RES}, {"3fff:1000::", PUB},
    {"2001:2::1", RES}, {"2001:2:1::1", PUB}, {"2001:10::1", RES}, {"2001:1f::1", RES}, {"2001:20::1", PUB},
    {"5f00::1", RES},
    /* global unicast is 2000::/3 only */
    {"1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", RES}, {"2000::", PUB}, {"2a00:1450::1", PUB},
    {"3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", PUB}, {"4000::", RES}, {"100::1", RES},
};

static const char *kind_name(net_addr_kind k) {
    static const char *const names[] = {"public", "private", "loopback", "reserved"};
    return names[k];
}

/* Classify each address of cases (of one family) and compare. */
static void check_cases(int family, const expect *cases, size_t n) {
    for (size_t i = 0; i < n; i++) {
        struct sockaddr_storage ss = {.ss_family = (sa_family_t)family};
        void *bytes = family == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
                                        : (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
        ck_assert_int_eq(inet_pton(family, cases[i].addr, bytes), 1);
        net_addr_class c = net_addr_classify((const struct sockaddr *)&ss);
        ck_assert_msg(c.kind == cases[i].kind, "%s: %s, want %s", cases[i].addr, kind_name(c.kind),
                      kind_name(cases[i].kind));
        ck_assert_msg((c.kind == PUB) == (c.what == NULL), "%s: a range is named exactly when not public",
                      cases[i].addr);
    }
}

START_TEST(ipv4_ranges) { check_cases(AF_INET, cases4, sizeof cases4 / sizeof *cases4); }
END_TEST

START_TEST(ipv6_ranges) { check_cases(AF_INET6, cases6, sizeof cases6 / sizeof *cases6); }
END_TEST

START_TEST(descriptions_name_the_range) {
    struct sockaddr_in6 sa = {.sin6_family = AF_INET6};
    inet_pton(AF_INET6, "64:ff9b::7f00:1", &sa.sin6_addr);
    net_addr_class c = net_addr_classify((const struct sockaddr *)&sa);
    char buf[120];
    net_addr_describe(&c, buf, sizeof buf);
    ck_assert_str_eq(buf, "NAT64 of loopback 127.0.0.0/8");
    inet_pton(AF_INET6, "fd00:ec2::254", &sa.sin6_addr);
    c = net_addr_classify((const struct sockaddr *)&sa);
    net_addr_describe(&c, buf, sizeof buf);
    ck_assert_str_eq(buf, "a cloud metadata service");
}
END_TEST

static Suite *netaddr_suite(void) {
    Suite *s = suite_create("netaddr");
    TCase *tc = tcase_create("netaddr");
    tcase_add_test(tc, ipv4_ranges);
    tcase_add_test(tc, ipv6_ranges);
    tcase_add_test(tc, descriptions_name_the_range);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(netaddr_suite)
