/*
 * qstr.c - constant-time interned-string lookup for the guest.
 *
 * MicroPython interns short strings (qstrs) in a chain of pools, newest
 * first (py/qstr.h):
 *   pool: prev, total_prev_len:31 | is_sorted:1, alloc, len, hashes*,
 *         lengths* (u8), qstrs[len] (pointers to the text)
 * and its qstr_find_strn compares a new string with every entry of the
 * unsorted pools made at run time: about 1,250 with the compatibility layer,
 * for every string a program creates. The patch makes that function call
 * Z_airlockZ_qstr_find first; -1 means "search yourself".
 *
 * What the index trusts: nothing it has not just read. Every call reads the
 * chain head's header; when it is the newest pool indexed, unchanged, the
 * index answers (the interpreter only appends to the newest pool). Otherwise
 * it reads the pool chain's headers (at most QSTR_MAX_POOLS, every pointer
 * validated) and compares them with the chain the index was built from:
 *   - the same chain, or the same chain grown (entries appended, newer pools
 *     in front), as the interpreter makes it: the new entries are indexed;
 *   - anything else: the index is rebuilt from scratch, once per reset
 *     (a reset happens when the host puts memory back, see undo.c); a second
 *     such change means the guest is rewriting its own pools, and the index
 *     stops answering until the next reset (the guest's own search, which
 *     fuel meters, takes over).
 * A hit is compared with the text in guest memory before it is returned, so
 * a stale or forged entry can only turn into a miss, and the guest can only
 * mislead itself. The host's work per call is bounded: QSTR_MAX_POOLS headers,
 * QSTR_MAX_PROBE bucket entries, 255 bytes hashed and compared; indexing is
 * bounded by QSTR_MAX_ENTRIES per reset. A new vm (clone, session load)
 * starts with no index.
 */
#include "guests/micropython/qstr.h"

#include <stdlib.h>
#include <string.h>

#include "runtime/vm.h"

#define QSTR_MAX_POOLS 64
#define QSTR_MAX_ENTRIES (1u << 20)
#define QSTR_MAX_PROBE 64
#define QSTR_MAX_LEN 255 /* lengths are one byte */
#define QSTR_DECLINE 0xffffffffu

typedef struct {
    uint32_t addr, base, len, hashes, lengths; /* base: total_prev_len */
} pool_hdr;

typedef struct {
    uint32_t text;  /* guest address of the string */
    uint32_t qstr;
    uint32_t next;  /* entry index + 1 in the same bucket; 0 ends */
    uint16_t hash;
    uint8_t len;
} entry;

struct qstr_index {
    pool_hdr pools[QSTR_MAX_POOLS]; /* the chain indexed, oldest first */
    unsigned npools;
    entry *e;
    uint32_t n, cap;
    uint32_t *heads;                /* bucket -> entry index + 1 */
    uint32_t mask;                  /* buckets - 1 */
    bool rebuilt;                   /* the one rebuild since the last reset is spent */
    bool off;                       /* stopped answering until the next reset */
};

typedef struct qstr_index qindex;

static uint32_t qstr_hash(const uint8_t *s, uint32_t len) {
    uint32_t h = 5381;
    for (uint32_t i = 0; i < len; i++) h = (h * 33) ^ s[i];
#if AIRLOCK_QSTR_HASH_BYTES == 1
    h &= 0xff;
#else
    h &= 0xffff;
#endif
    return h ? h : 1;
}

/* Reads the chain (newest first in memory) into out, oldest first. */
static bool read_chain(airlock_vm *vm, pool_hdr *out, unsigned *n) {
    uint32_t addr;
    if (!vm_load_u32(vm, AIRLOCK_QSTR_LAST_POOL_ADDR, &addr)) return false;
    unsigned k = 0;
    while (addr) {
        if (k == QSTR_MAX_POOLS) return false;
        const uint8_t *p = vm_ptr(vm, addr, 24);
        if (!p) return false;
        uint32_t w[6];
        memcpy(w, p, sizeof w);
        pool_hdr h = {addr, w[1] & 0x7fffffffu, w[3], w[4], w[5]};
        /* (alloc, w[2], is not checked: the ROM pools do not keep it) */
        if (!vm_ptr(vm, addr + 24u, (uint64_t)h.len * 4) ||
            !vm_ptr(vm, h.hashes, (uint64_t)h.len * AIRLOCK_QSTR_HASH_BYTES) || !vm_ptr(vm, h.lengths, h.len))
            return false;
        out[k++] = h;
        addr = w[0];
    }
    for (unsigned i = 0; i < k / 2; i++) {
        pool_hdr t = out[i];
        out[i] = out[k - 1 - i];
        out[k - 1 - i] = t;
    }
    *n = k;
    return true;
}

static void link_range(qindex *x, uint32_t from) {
    for (uint32_t i = from; i < x->n; i++) {
        uint32_t b = x->e[i].hash & x->mask;
        x->e[i].next = x->heads[b];
        x->heads[b] = i + 1;
    }
}

/* Links entries [from, n) into the buckets, with at most one entry per two
 * buckets (so chains stay short for real hashes). */
static bool link_new(qindex *x, uint32_t from) {
    uint32_t buckets = x->heads ? x->mask + 1 : 0;
    if (buckets >= 2 * (uint64_t)x->n) {
        link_range(x, from);
        return true;
    }
    if (!buckets) buckets = 1024;
    while (buckets < 2 * (uint64_t)x->n) buckets *= 2;
    uint32_t *heads = calloc(buckets, sizeof *heads);
    if (!heads) return false;
    free(x->heads);
    x->heads = heads;
    x->mask = buckets - 1;
    link_range(x, 0);
    return true;
}

/* Indexes entries [from, h->len) of pool h. */
static bool add_entries(airlock_vm *vm, qindex *x, const pool_hdr *h, uint32_t from) {
    uint32_t count = h->len - from;
    if (count > QSTR_MAX_ENTRIES - x->n) return false;
    if (x->n + count > x->cap) {
        uint32_t cap = x->cap ? x->cap : 1024;
        while (cap < x->n + count) cap *= 2;
        entry *e = realloc(x->e, (size_t)cap * sizeof *e);
        if (!e) return false;
        x->e = e;
        x->cap = cap;
    }
    const uint8_t *texts = vm_ptr(vm, h->addr + 24u, (uint64_t)h->len * 4);
    const uint8_t *hashes = vm_ptr(vm, h->hashes, (uint64_t)h->len * AIRLOCK_QSTR_HASH_BYTES);
    const uint8_t *lens = vm_ptr(vm, h->lengths, h->len);
    for (uint32_t i = from; i < h->len; i++) {
        entry *e = &x->e[x->n];
        memcpy(&e->text, texts + 4 * (size_t)i, 4);
        uint16_t hash = 0;
        memcpy(&hash, hashes + AIRLOCK_QSTR_HASH_BYTES * (size_t)i, AIRLOCK_QSTR_HASH_BYTES);
        e->hash = hash;
        e->len = lens[i];
        e->qstr = h->base + i;
        x->n++;
    }
    return link_new(x, x->n - count);
}

static bool same_pool(const pool_hdr *a, const pool_hdr *b) {
    return a->addr == b->addr && a->base == b->base && a->hashes == b->hashes && a->lengths == b->lengths &&
           a->len >= b->len;
}

/* Is `now` the indexed chain, possibly grown? */
static bool is_growth(const qindex *x, const pool_hdr *now, unsigned n) {
    if (n < x->npools) return false;
    for (unsigned i = 0; i < x->npools; i++)
        if (!same_pool(&now[i], &x->pools[i])) return false;
    return true;
}

static bool catch_up(airlock_vm *vm, qindex *x, const pool_hdr *now, unsigned n) {
    for (unsigned i = 0; i < n; i++) {
        uint32_t from = i < x->npools ? x->pools[i].len : 0;
        if (now[i].len > from && !add_entries(vm, x, &now[i], from)) return false;
    }
    memcpy(x->pools, now, n * sizeof *now);
    x->npools = n;
    return true;
}

static void clear(qindex *x) {
    x->n = 0;
    x->npools = 0;
    if (x->heads) memset(x->heads, 0, ((size_t)x->mask + 1) * sizeof *x->heads);
}

/* The common case, read cheaply: the chain head is still the newest pool
 * indexed, with the same header and no new entries. Only the newest pool
 * grows, and a new pool goes in front; a guest that rewrites older headers
 * behind an unchanged head only misleads itself (every hit is compared with
 * the text in memory). */
static bool head_unchanged(airlock_vm *vm, const qindex *x) {
    uint32_t addr;
    if (!x->npools || !vm_load_u32(vm, AIRLOCK_QSTR_LAST_POOL_ADDR, &addr)) return false;
    const pool_hdr *top = &x->pools[x->npools - 1];
    const uint8_t *p = addr == top->addr ? vm_ptr(vm, addr, 24) : NULL;
    if (!p) return false;
    uint32_t w[6];
    memcpy(w, p, sizeof w);
    return (w[1] & 0x7fffffffu) == top->base && w[3] == top->len && w[4] == top->hashes && w[5] == top->lengths;
}

/* Brings the index up to date with the chain in memory; false: decline. */
static bool sync_index(airlock_vm *vm, qindex *x) {
    if (head_unchanged(vm, x)) return true;
    pool_hdr now[QSTR_MAX_POOLS];
    unsigned n;
    if (!read_chain(vm, now, &n)) return false;
    if (!is_growth(x, now, n)) {
        if (x->rebuilt) {
            x->off = true;
            return false;
        }
        x->rebuilt = true;
        clear(x);
    }
    if (!catch_up(vm, x, now, n)) {
        x->off = true;
        return false;
    }
    return true;
}

static uint32_t lookup(airlock_vm *vm, qindex *x, const uint8_t *s, uint32_t len) {
    uint32_t hash = qstr_hash(s, len);
    unsigned steps = 0;
    for (uint32_t i = x->heads[hash & x->mask]; i; i = x->e[i - 1].next) {
        if (++steps > QSTR_MAX_PROBE) return QSTR_DECLINE;
        const entry *e = &x->e[i - 1];
        if (e->hash != hash || e->len != len) continue;
        const uint8_t *t = vm_ptr(vm, e->text, len);
        if (t && memcmp(t, s, len) == 0) return e->qstr;
    }
    return 0; /* MP_QSTRnull: not interned */
}

static qindex *index_of(airlock_vm *vm) {
    if (!vm->qstr) vm->qstr = calloc(1, sizeof *vm->qstr);
    return vm->qstr;
}

u32 Z_airlockZ_qstr_find(struct Z_airlock_instance_t *self, u32 str, u32 len) {
    airlock_vm *vm = VM_OF(self);
    if (len > QSTR_MAX_LEN) return 0; /* no qstr is this long */
    const uint8_t *s = vm_ptr(vm, str, len);
    qindex *x = index_of(vm);
    if (!s || !x || x->off || !sync_index(vm, x) || !x->heads) return QSTR_DECLINE;
    return lookup(vm, x, s, len);
}

void qstr_index_reset(airlock_vm *vm) {
    qindex *x = vm->qstr;
    if (!x) return;
    clear(x);
    x->rebuilt = false;
    x->off = false;
}

void qstr_index_free(airlock_vm *vm) {
    qindex *x = vm->qstr;
    if (!x) return;
    free(x->e);
    free(x->heads);
    free(x);
    vm->qstr = NULL;
}
