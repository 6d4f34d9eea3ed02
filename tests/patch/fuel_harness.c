/*
 * Runs tests/patch/skeleton.wat after airlock-patch and wasm2c, against the
 * reference wasm2c runtime, and checks that the fuel counter counts.
 * Built twice by run.sh: metered, and with -DNO_FUEL for a --no-fuel build.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm-rt-impl.h"
#include "sk.h"

struct Z_airlock_instance_t {
    long exhausted_calls;
    long gc_calls;
    int64_t refill;     /* fuel given at each exhaustion */
    long qstr_calls;
    uint32_t qstr_answer;
    long search_calls;
    uint32_t search_answer;  /* of find_subbytes and count_subbytes */
    long refills_left;  /* then trap */
};
struct Z_env_instance_t {
    long escaped_longjmps;
    long host_calls;
    int64_t fuel_seen[4];  /* the counter at the first host_nop calls */
    int64_t fuel_given;    /* added to the counter by each host_nop */
};

static Z_sk_instance_t inst;
static struct Z_airlock_instance_t host;
static struct Z_env_instance_t env;
static int failures;

#define CHECK(cond, ...)                                   \
    do {                                                   \
        if (!(cond)) {                                     \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);    \
            printf(__VA_ARGS__);                           \
            printf("\n");                                  \
            failures++;                                    \
        }                                                  \
    } while (0)

uint32_t Z_airlockZ_qstr_find(struct Z_airlock_instance_t *h, uint32_t str, uint32_t len)
{
    (void)str, (void)len;
    h->qstr_calls++;
    return h->qstr_answer;
}

uint32_t Z_airlockZ_find_subbytes(struct Z_airlock_instance_t *h, uint32_t hay, uint32_t hlen, uint32_t needle,
                                  uint32_t nlen, uint32_t direction)
{
    (void)hay, (void)hlen, (void)needle, (void)nlen, (void)direction;
    h->search_calls++;
    return h->search_answer;
}

uint32_t Z_airlockZ_count_subbytes(struct Z_airlock_instance_t *h, uint32_t at, uint32_t end, uint32_t needle,
                                   uint32_t nlen)
{
    (void)at, (void)end, (void)needle, (void)nlen;
    h->search_calls++;
    return h->search_answer;
}

void Z_airlockZ_fuel_exhausted(struct Z_airlock_instance_t *h)
{
    h->exhausted_calls++;
    int64_t *fuel = (int64_t *)Z_skZ_airlock_fuel(&inst);
    if (h->refills_left-- <= 0)
        wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
    *fuel += h->refill;  /* the host may write the global during the call */
}

void Z_airlockZ_gc_collect(struct Z_airlock_instance_t *h)
{
    h->gc_calls++;
}

/* Reached only by a longjmp that found no setjmp (guests/patch/sjlj.c). */
void Z_envZ__emscripten_throw_longjmp(struct Z_env_instance_t *e)
{
    e->escaped_longjmps++;
    wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}

static int64_t *fuel(void);

/* Records the counter and may add to it: the guest must have stored it
 * before the call and must read it again after. */
void Z_envZ_host_nop(struct Z_env_instance_t *e)
{
    if (e->host_calls < 4)
        e->fuel_seen[e->host_calls] = *fuel();
    e->host_calls++;
    *fuel() += e->fuel_given;
}

#define BIG ((int64_t)1 << 40)

static int64_t *fuel(void)
{
    return (int64_t *)Z_skZ_airlock_fuel(&inst);
}

static void arm(void)
{
    *fuel() = BIG;
    host.refills_left = 0;
}

static int64_t used(void)
{
    return BIG - *fuel();
}

static int64_t spin(uint32_t n)
{
    arm();
    uint32_t r = Z_skZ_spin(&inst, n);
    CHECK(r == (n ? n : 1), "spin(%u) returned %u", n, r);
    return used();
}

/* Fuel that f(&inst, n) used. */
__attribute__((unused)) static int64_t spin_through(uint32_t (*f)(Z_sk_instance_t *, uint32_t), uint32_t n)
{
    arm();
    f(&inst, n);
    return used();
}

/* Whether a host that traps after 10 refills stops f(&inst, 2^32 - 1). */
__attribute__((unused)) static bool stopped(uint32_t (*f)(Z_sk_instance_t *, uint32_t))
{
    *fuel() = 0;
    host.exhausted_calls = 0;
    host.refill = 1000;
    host.refills_left = 10;
    if (wasm_rt_impl_try() != WASM_RT_TRAP_NONE)
        return host.exhausted_calls == 11;
    f(&inst, 0xffffffffu);
    return false;
}

__attribute__((unused)) static int64_t nested(uint32_t n, uint32_t m)
{
    arm();
    Z_skZ_nested(&inst, n, m);
    return used();
}

/* invoke_ii(k, x) calls table entry k (1: longjmp(x, 1) from a frame it
 * never pops; 2: x + 1) and, when it longjmps, returns 0 with the shadow
 * stack pointer restored and __THREW__ = x; with no invoke on the way, the
 * longjmp reaches the host import and traps. */
static void check_setjmp_longjmp(void)
{
    uint8_t *m = Z_skZ_memory(&inst)->data;
    uint32_t threw[2];
    uint32_t sp = Z_skZ_sj_sp(&inst);
    memset(m + 3000, 0, 8);
    CHECK(Z_skZ_sj_const_plain(&inst, 5) == 6, "invoke of a plain entry");
    CHECK(Z_skZ_sj_const_throw(&inst, 7) == 0, "a caught longjmp returns 0");
    memcpy(threw, m + 3000, sizeof threw);
    CHECK(threw[0] == 7 && threw[1] == 1, "__THREW__ %u, __threwValue %u after longjmp(7, 1)", threw[0], threw[1]);
    CHECK(Z_skZ_sj_sp(&inst) == sp, "stack pointer not restored: %u, was %u", Z_skZ_sj_sp(&inst), sp);
    memset(m + 3000, 0, 8);
    CHECK(Z_skZ_sj_any(&inst, 2, 3) == 4, "invoke through a computed index");
    CHECK(Z_skZ_sj_any(&inst, 1, 9) == 0 && m[3000] == 9, "longjmp through a computed index");
    CHECK(Z_skZ_sj_sp(&inst) == sp, "stack pointer not restored (computed index)");
    /* sites whose read of __THREW__ moved into the catch (sjlj.c) */
    memset(m + 3000, 0, 8);
    CHECK(Z_skZ_sj_site_plain(&inst, 5) == 6, "a bracketed invoke of a plain entry: %u",
          Z_skZ_sj_site_plain(&inst, 5));
    CHECK(Z_skZ_sj_site_throw(&inst, 7) == 7000, "a bracketed invoke that longjmps: %u, not __THREW__ 7 * 1000",
          Z_skZ_sj_site_throw(&inst, 7));
    memcpy(threw, m + 3000, sizeof threw);
    CHECK(threw[0] == 0, "__THREW__ %u after a bracketed site caught longjmp(7, 1)", threw[0]);
    CHECK(Z_skZ_sj_sp(&inst) == sp, "stack pointer not restored (bracketed site)");

    wasm_rt_trap_t trap = wasm_rt_impl_try();
    if (trap == WASM_RT_TRAP_NONE) {
        Z_skZ_sj_any(&inst, 3, 0);
        CHECK(0, "invoke of an empty table entry did not trap");
    } else {
        CHECK(trap == WASM_RT_TRAP_CALL_INDIRECT, "empty entry: %s", wasm_rt_strerror(trap));
    }
    trap = wasm_rt_impl_try();
    if (trap == WASM_RT_TRAP_NONE) {
        Z_skZ_sj_escape(&inst, 1);
        CHECK(0, "a longjmp with no setjmp did not trap");
    } else {
        CHECK(env.escaped_longjmps == 1, "a longjmp with no setjmp trapped without reaching the host");
        /* the sites no longer clear it before a call: the export did */
        memcpy(threw, m + 3000, sizeof threw);
        CHECK(threw[0] == 0, "__THREW__ %u after a longjmp with no setjmp", threw[0]);
    }
    trap = wasm_rt_impl_try();
    if (trap == WASM_RT_TRAP_NONE)
        CHECK(Z_skZ_sj_const_plain(&inst, 1) == 2, "the unwinding flag outlived the trap");
    printf("setjmp/longjmp: caught through constant and computed indices, escapes trap\n");
}

int main(void)
{
    wasm_rt_init();
    Z_sk_init_module();
    Z_sk_instantiate(&inst, &host, &env);

    int64_t f1 = spin(1000), f2 = spin(2000), f3 = spin(3000);
    printf("spin: 1000 -> %lld, 2000 -> %lld, 3000 -> %lld units\n", (long long)f1,
           (long long)f2, (long long)f3);
#ifdef NO_FUEL
    CHECK(f1 == 0 && f2 == 0 && f3 == 0, "--no-fuel build consumed fuel");
    Z_skZ_call_gc(&inst);
    CHECK(host.gc_calls == 1, "gc_collect did not call the host");
    Z_skZ_airlock_gc_collect_start(&inst);
    Z_skZ_airlock_gc_collect_end(&inst);
    CHECK(host.exhausted_calls == 0, "fuel_exhausted called in a --no-fuel build");
#else
    /* proportional to N: the same cost per iteration, >= 1 unit per instruction */
    CHECK(f2 - f1 == f3 - f2 && f2 - f1 > 0, "fuel not linear in N");
    int64_t per_iter = (f2 - f1) / 1000;
    printf("spin: %lld units per iteration (8 instructions in the loop body)\n",
           (long long)per_iter);
    CHECK(per_iter == 8, "expected 8 units per iteration, got %lld", (long long)per_iter);

    int64_t n1 = nested(10, 100), n2 = nested(10, 200);
    printf("nested: 10x100 -> %lld, 10x200 -> %lld\n", (long long)n1, (long long)n2);
    CHECK(n2 - n1 == 10 * 100 * 8, "nested loops: inner iterations not charged exactly");

    /* switch: the entry pays for the host call (33), the dispatch (2) and the
     * longest case (6), whichever case runs (no switch charge points by default) */
    int64_t sw[3];
    for (uint32_t k = 0; k < 3; k++) {
        arm();
        Z_skZ_switch(&inst, k);
        sw[k] = used();
    }
    printf("switch: %lld %lld %lld\n", (long long)sw[0], (long long)sw[1], (long long)sw[2]);
#if defined(SWITCH_CHARGE_POINTS)
    /* built with -DFUEL_SWITCH_MIN_CASES=2: each case pays for itself */
    CHECK(sw[0] == 35 + 6 && sw[1] == 35 + 2 && sw[2] == 35 + 3,
          "switch: expected 41, 37, 38 units");
#else
    CHECK(sw[0] == 41 && sw[1] == 41 && sw[2] == 41, "switch: expected 41 units per call");
#endif

    /* bulk memory: one unit per 16 bytes on top of the instructions */
    arm();
    Z_skZ_fill(&inst, 0);
    int64_t fill0 = used();
    arm();
    Z_skZ_fill(&inst, 1600);
    int64_t fill1 = used();
    arm();
    Z_skZ_copy(&inst, 0);
    int64_t copy0 = used();
    arm();
    Z_skZ_copy(&inst, 3200);
    int64_t copy1 = used();
    printf("memory.fill 1600 B: +%lld, memory.copy 3200 B: +%lld units\n",
           (long long)(fill1 - fill0), (long long)(copy1 - copy0));
    CHECK(fill1 - fill0 == 100 && copy1 - copy0 == 200, "bulk memory not charged per 16 bytes");

    /* a tiny leaf is unmetered; its caller pays for it */
    arm();
    CHECK(Z_skZ_call_leaf(&inst) == 42, "leaf result");
    int64_t leaf = used();
    printf("call_leaf: %lld units\n", (long long)leaf);
    CHECK(leaf >= 4, "caller did not pay for the leaf");

    /* recursion: every call is charged */
    arm();
    Z_skZ_recurse(&inst, 100);
    int64_t r100 = used();
    arm();
    Z_skZ_recurse(&inst, 200);
    int64_t r200 = used();
    printf("recurse: 100 -> %lld, 200 -> %lld\n", (long long)r100, (long long)r200);
    int64_t per_call = (r200 - r100) / 100;
    CHECK(per_call > 0 && r200 - r100 == 100 * per_call && r100 == 101 * per_call,
          "recursion: not charged per call (%lld per call)", (long long)per_call);

    /* a recursive function that is not exported still checks at entry */
    *fuel() = 0;
    host.exhausted_calls = 0;
    host.refill = 10;
    host.refills_left = 1000000;
    Z_skZ_deep(&inst, 1000);
    printf("deep recursion (not exported): %ld fuel_exhausted calls\n", host.exhausted_calls);
    CHECK(host.exhausted_calls >= 500, "recursion in a non-exported function is not checked");
    /* an acyclic helper only charges: same amount, no check needed */
    arm();
    Z_skZ_use_helper(&inst, 5);
    int64_t helper = used();
    printf("use_helper: %lld units\n", (long long)helper);
    /* use_helper: host call 33 + local.get + 2 calls = 36; helper: 33 + 7, twice */
    CHECK(helper == 36 + 2 * 40, "use_helper charged %lld, expected 116", (long long)helper);

    /* folded entries: the loop header pays for $helper2 and $helper (44 units:
     * local.get, i32.const, i32.add, call $helper 1 + 40), plus spin's 8,
     * local.get, call and drop */
    int64_t h1 = spin_through(Z_skZ_spin_helper, 1000), h2 = spin_through(Z_skZ_spin_helper, 2000);
    printf("spin_helper: %lld units per iteration\n", (long long)((h2 - h1) / 1000));
    CHECK(h2 - h1 == 1000 * 55, "folded entries: expected 55 units per iteration, got %lld",
          (long long)((h2 - h1) / 1000));
    /* a folded function's own loop: charged per iteration as spin's */
    int64_t i1 = spin_through(Z_skZ_spin_folded, 1000), i2 = spin_through(Z_skZ_spin_folded, 2000);
    CHECK(i2 - i1 == 1000 * 8, "loop in a folded function: %lld units per iteration",
          (long long)((i2 - i1) / 1000));
    CHECK(stopped(Z_skZ_spin_helper), "a loop through folded entries was not stopped");
    CHECK(stopped(Z_skZ_spin_folded), "a loop inside a folded function was not stopped");

    /* the host sees the counter as charged so far, and what it adds stays */
    arm();
    env.host_calls = 0;
    env.fuel_given = 1000;
    Z_skZ_spin_host(&inst, 4);
    int64_t host_used = used();
    env.fuel_given = 0;
    printf("spin_host: the host saw %lld, %lld, %lld units used\n", (long long)(BIG - env.fuel_seen[0]),
           (long long)(BIG - env.fuel_seen[1]), (long long)(BIG - env.fuel_seen[2]));
    /* per iteration: spin's 8 + the host call's 33; the host adds 1000 each time */
    CHECK(env.fuel_seen[0] - env.fuel_seen[1] == 41 - 1000 && env.fuel_seen[1] - env.fuel_seen[2] == 41 - 1000,
          "spin_host: the host did not see the counter as charged");
    CHECK(host_used == BIG - env.fuel_seen[3] - 1000, "spin_host: %lld used after the last host call",
          (long long)host_used);

    /* fuel_exhausted: called each time the global goes negative; refills */
    *fuel() = 0;
    host.exhausted_calls = 0;
    host.refill = 100;
    host.refills_left = 1000000;
    Z_skZ_spin(&inst, 10000);
    long expect = (long)(f1 * 10 / 100);
    printf("fuel_exhausted: %ld calls with a slice of 100 (about %ld expected)\n",
           host.exhausted_calls, expect);
    CHECK(host.exhausted_calls >= expect - 2 && host.exhausted_calls <= expect + 2,
          "fuel_exhausted call count");
    CHECK(*fuel() >= -100 && *fuel() < 100, "fuel left %lld", (long long)*fuel());

    /* a host that traps stops an (almost) endless loop */
    *fuel() = 0;
    host.exhausted_calls = 0;
    host.refill = 1000;
    host.refills_left = 10;
    wasm_rt_trap_t trap = wasm_rt_impl_try();
    if (trap == WASM_RT_TRAP_NONE) {
        Z_skZ_spin(&inst, 0xffffffffu);
        CHECK(0, "spin(2^32-1) was not stopped");
    } else {
        printf("trap after %ld exhaustions: %s\n", host.exhausted_calls,
               wasm_rt_strerror(trap));
        CHECK(host.exhausted_calls == 11, "expected 11 calls before the trap");
    }

    /* GC hook */
    arm();
    Z_skZ_call_gc(&inst);
    CHECK(host.gc_calls == 1, "gc_collect did not call the host");
    uint8_t *mem = Z_skZ_memory(&inst)->data;
    CHECK(mem[1200] == 0, "gc_collect still sets the pending flag");
    Z_skZ_airlock_gc_collect_start(&inst);
    Z_skZ_airlock_gc_collect_end(&inst);
#endif

    /* vstr growth: a 1000-byte request allocates 1.5x, not 16 bytes extra */
    {
        uint8_t *m = Z_skZ_memory(&inst)->data;
        uint32_t v[4] = {0, 0, 0, 0};
        memcpy(m + 2048, v, sizeof v);
        Z_skZ_vstr_ensure_extra(&inst, 2048, 1000);
        memcpy(v, m + 2048, sizeof v);
        CHECK(v[0] == ((1500u & ~7u) + 24), "vstr alloc after +1000: %u", v[0]);
        v[1] = 0x50000000u; /* no 1.5x above 1 GiB (it would not fit in 32 bits) */
        memcpy(m + 2048, v, sizeof v);
        Z_skZ_vstr_ensure_extra(&inst, 2048, 8);
        memcpy(v, m + 2048, sizeof v);
        CHECK(v[0] == 0x50000020u, "vstr alloc above 1 GiB: %#x", v[0]);
    }

    /* qstr_find_strn asks the host first; -1 runs the guest's own search */
    {
        uint8_t *m = Z_skZ_memory(&inst)->data;
        memcpy(m + 4000, "ab", 2);
        memset(m + 1300, 0, 4); /* empty pool chain */
        host.qstr_calls = 0;
        host.qstr_answer = 77;
        CHECK(Z_skZ_qstr_find_strn(&inst, 4000, 2) == 77 && host.qstr_calls == 1, "host answer not used");
        host.qstr_answer = 0xffffffffu;
        CHECK(Z_skZ_qstr_find_strn(&inst, 4000, 2) == 0 && host.qstr_calls == 2, "decline: guest search");
        CHECK(Z_skZ_qstr_find_strn(&inst, 4000, 0) == 1 && host.qstr_calls == 2, "empty string asked the host");
    }

    /* find_subbytes and str_count's loop ask the host first; -1 runs the
     * guest's own search or count (strfind.c) */
    {
        uint8_t *m = Z_skZ_memory(&inst)->data;
        memcpy(m + 4100, "ab\xc3\xa9" "ab\xc3\xa9" "ab", 10); /* "abéabéab" */
        memcpy(m + 4120, "\xa9", 1);
        uint32_t block[4] = {4100, 10, 4120, 1};
        memcpy(m + 4128, block, sizeof block);
        host.search_calls = 0;
        host.search_answer = 1234;
        CHECK(Z_skZ_find_subbytes(&inst, 4100, 10, 4104, 2, 1) == 1234 && host.search_calls == 1,
              "find: host answer not used");
        CHECK(Z_skZ_str_count(&inst, 4128, 0) == 1234 && host.search_calls == 2, "count: host answer not used");
        host.search_answer = 0xffffffffu;
        CHECK(Z_skZ_find_subbytes(&inst, 4100, 10, 4104, 2, 1) == 4100, "find declined: forward search");
        CHECK(Z_skZ_find_subbytes(&inst, 4100, 10, 4104, 2, -1) == 4108, "find declined: backward search");
        CHECK(Z_skZ_find_subbytes(&inst, 4100, 1, 4104, 2, 1) == 0 && host.search_calls == 5,
              "find: a needle longer than the haystack");
        /* the continuation byte of each "é": every byte compared, or only at character starts */
        CHECK(Z_skZ_str_count(&inst, 4128, 1) == 2, "count declined (bytes): %u", Z_skZ_str_count(&inst, 4128, 1));
        CHECK(Z_skZ_str_count(&inst, 4128, 0) == 0, "count declined (str): %u", Z_skZ_str_count(&inst, 4128, 0));
        block[2] = 4100, block[3] = 2; /* "ab" */
        memcpy(m + 4128, block, sizeof block);
        CHECK(Z_skZ_str_count(&inst, 4128, 0) == 3 && host.search_calls == 8, "count declined: \"ab\"");
    }

    /* dict and set tables (maptable.c): home slots, the probe without a
     * division, the small-int comparison, growth at 3/4 */
    {
        uint8_t *m = Z_skZ_memory(&inst)->data;
        for (int set = 0; set < 2; set++) {
            const uint32_t hdr = 2048, table = 2560;
            uint32_t (*lookup)(Z_sk_instance_t *, uint32_t, uint32_t, uint32_t) =
                set ? Z_skZ_set_lookup : Z_skZ_map_lookup;
            const char *what = set ? "set" : "map";
            /* header: map {flags | used << 3, alloc, table}, set {alloc, used, table}; rehash count at 12 */
            uint32_t w[4];
#define TABLE(alloc, used, flags, first_key)                                           \
            do {                                                                       \
                w[set ? 0 : 1] = (alloc);                                              \
                w[set ? 1 : 0] = set ? (used) : ((used) << 3 | (flags));               \
                w[2] = table;                                                          \
                w[3] = 0;                                                              \
                memcpy(m + hdr, w, sizeof w);                                          \
                uint32_t k_ = (first_key);                                             \
                memcpy(m + table, &k_, 4);                                             \
            } while (0)
#define REHASHES() (memcpy(w, m + hdr, sizeof w), w[3])
            const uint32_t key = 123457, large = 2053;
            uint32_t mixed = key * 0x9E3779B1u;
            mixed ^= mixed >> 16;
            TABLE(11, 0, 0, 0);
            uint32_t r = lookup(&inst, hdr, key, 0);
            CHECK(r >> 20 == key % 11 && ((r >> 4) & 0xffff) == (key % 11 + 1) % 11,
                  "%s of 11 slots: home %u next %u", what, r >> 20, (r >> 4) & 0xffff);
            r = lookup(&inst, hdr, 10, 0);
            CHECK(r >> 20 == 10 && ((r >> 4) & 0xffff) == 0, "%s: the probe after the last slot is %u",
                  what, (r >> 4) & 0xffff);
            TABLE(large, 0, 0, 0);
            r = lookup(&inst, hdr, key, 0);
            CHECK(r >> 20 == mixed % large, "%s of %u slots: home %u, want the mixed %u", what, large, r >> 20,
                  mixed % large);
            TABLE(11, 0, 0, 7); /* two small ints (odd words) */
            CHECK((lookup(&inst, hdr, 9, 0) & 15) == 0, "%s: two small ints went to mp_obj_equal", what);
            CHECK((lookup(&inst, hdr, 7, 0) & 15) == 1, "%s: a small int is not equal to itself", what);
            TABLE(11, 0, 0, 8); /* an object pointer */
            CHECK((lookup(&inst, hdr, 9, 0) & 15) == 1, "%s: an object key skipped mp_obj_equal", what);
            /* growth: one more key past 3/4 full, tables of 16 slots or more */
            struct { uint32_t alloc, used, flags, kind, rehashes; } g[] = {
                {16, 11, 0, 1, 0}, {16, 12, 0, 1, 1}, {16, 12, 0, 0, 0}, {12, 11, 0, 1, 0},
                {2053, 1539, 0, 1, 1}, {2053, 1538, 0, 1, 0},
                {16, 12, 2, 1, set}, {16, 12, 4, 1, set}, /* a fixed or ordered map keeps its table */
                {16, 12, 0, 3, set}, {16, 12, 0, 2, 0},   /* a set's toggle inserts; removal never does */
            };
            for (size_t i = 0; i < sizeof g / sizeof *g; i++) {
                TABLE(g[i].alloc, g[i].used, set ? 0 : g[i].flags, 0);
                lookup(&inst, hdr, key, g[i].kind);
                CHECK(REHASHES() == g[i].rehashes, "%s alloc %u used %u flags %u kind %u: %u rehashes, want %u",
                      what, g[i].alloc, g[i].used, g[i].flags, g[i].kind, REHASHES(), g[i].rehashes);
            }
            /* the size the rehash asks for (the skeleton stores it at offset 16): 2 * alloc + 1 from 16
             * slots on, and that itself beyond the size table (the skeleton's ends at 100) */
            struct { uint32_t alloc, used, want; } z[] = {{16, 12, 33}, {20, 15, 41}, {2053, 1539, 4107}};
            for (size_t i = 0; i < sizeof z / sizeof *z; i++) {
                TABLE(z[i].alloc, z[i].used, 0, 0);
                lookup(&inst, hdr, key, 1);
                uint32_t next;
                memcpy(&next, m + hdr + 16, 4);
                CHECK(next == z[i].want, "%s of %u slots: the rehash asks for %u, want %u", what, z[i].alloc, next,
                      z[i].want);
            }
#undef TABLE
#undef REHASHES
        }
    }
    check_setjmp_longjmp();

    Z_sk_free(&inst);
    wasm_rt_free();
    if (failures) {
        printf("%d FAILED\n", failures);
        return 1;
    }
    printf("fuel harness: all checks passed\n");
    return 0;
}
