/*
 * Remove a built-in module (uctypes) from MicroPython's ROM module tables.
 *
 * Layouts, from MicroPython v1.27.0's public source (wasm32, so 4-byte words):
 *
 *  - A qstr is an index into a chain of pools (py/qstr.h, qstr_pool_t):
 *      prev, total_prev_len:31 | is_sorted:1, alloc, len, hashes*, lengths*,
 *      qstrs[len] (pointers to the NUL-terminated text).
 *    qstr number = total_prev_len + index in qstrs[].  The hash is djb2
 *    (hash * 33 ^ byte, from 5381) truncated to the hash width, never 0.
 *  - A qstr as an object (MP_ROM_QSTR, object representation A) is
 *    (qstr << 3) | 2.
 *  - A ROM map (py/obj.h, mp_map_t made by MP_DEFINE_CONST_MAP) is
 *      word0 = all_keys_are_qstrs:1 | is_fixed:1 | is_ordered:1 | used << 3,
 *      alloc (== used), table*  -> used pairs (key, value).
 *  - mp_module_get_builtin() (py/objmodule.c) looks a name up in
 *    mp_builtin_module_map; failing that, a "u"-prefixed name is retried
 *    without the "u" in mp_builtin_extensible_module_map.  There is no
 *    "ctypes" there, so removing the "uctypes" entry makes the import fail
 *    with ImportError.  The compiler's constant-folding table
 *    (MICROPY_COMP_MODULE_CONST) also maps "uctypes" to the module; the entry
 *    is removed there too, so `uctypes.X` cannot be folded into code.
 *
 * Removing an entry shifts the later pairs down and decrements used and
 * alloc; the relative order of the remaining keys (whatever the lookup
 * relies on) is unchanged.  Lengths of data segments never change.
 */
#include "patch.h"

#include <string.h>

#define QSTR_MAX_POOL_LEN 65536u
#define MAP_MAX_LEN 4096u

static uint32_t qstr_hash(const char *s, size_t len)
{
    uint32_t h = 5381;
    for (size_t i = 0; i < len; i++)
        h = (h * 33) ^ (uint8_t)s[i];
    return h;
}

static bool hash_matches(uint32_t full, uint32_t stored, uint32_t mask)
{
    uint32_t h = full & mask;
    if (h == 0)
        h = 1;
    return h == stored;
}

/* A plausible qstr_pool_t header at `h` whose qstrs[] contains slot `slot`?
 * On success stores the qstr number of that slot. */
static bool pool_header_at(const DataImage *img, uint32_t h, uint32_t slot,
                           const char *name, uint32_t *qstr)
{
    uint32_t w[6];
    for (int i = 0; i < 6; i++)
        if (!img_read32(img, h + 4 * (uint32_t)i, &w[i]))
            return false;
    uint32_t prev = w[0], total_prev = w[1] & 0x7fffffffu, len = w[3];
    uint32_t hashes = w[4], lengths = w[5], base = h + 24;
    if (len == 0 || len > QSTR_MAX_POOL_LEN || slot < base || slot >= base + 4 * len)
        return false;
    if (prev != 0 && !img_ptr(img, prev, 24))
        return false;
    const uint8_t *lens = img_ptr(img, lengths, len);
    if (!lens || !img_ptr(img, base, 4 * len))
        return false;
    uint32_t idx = (slot - base) / 4;
    size_t nlen = strlen(name);
    if (lens[idx] != nlen)
        return false;
    /* The hash width (1 or 2 bytes) is a build option; accept either, but the
     * stored hash must match what we compute from the text. */
    uint32_t full = qstr_hash(name, nlen);
    const uint8_t *h2 = img_ptr(img, hashes + 2 * idx, 2);
    const uint8_t *h1 = img_ptr(img, hashes + idx, 1);
    bool ok = (h2 && hash_matches(full, (uint32_t)h2[0] | (uint32_t)h2[1] << 8, 0xffff)) ||
              (h1 && hash_matches(full, h1[0], 0xff));
    if (!ok)
        return false;
    /* Cross-check the chain: a previous pool must end where this one starts. */
    if (prev != 0) {
        uint32_t ptot, plen;
        if (!img_read32(img, prev + 4, &ptot) || !img_read32(img, prev + 12, &plen))
            return false;
        if ((ptot & 0x7fffffffu) + plen != total_prev)
            return false;
    } else if (total_prev != 0) {
        return false;
    }
    *qstr = total_prev + idx;
    return true;
}

uint32_t qstr_find(const DataImage *img, const char *name)
{
    size_t nlen = strlen(name);
    for (size_t si = 0; si < img->nsegs; si++) {
        const DataSeg *s = &img->segs[si];
        const uint8_t *bytes = img->buf + s->file_off;
        for (uint32_t off = 0; off + nlen + 1 <= s->len; off++) {
            if (memcmp(bytes + off, name, nlen + 1) != 0)
                continue;
            uint32_t text = s->addr + off;
            /* every aligned word that points at this text may be a qstrs[] slot */
            for (size_t sj = 0; sj < img->nsegs; sj++) {
                const DataSeg *t = &img->segs[sj];
                for (uint32_t a = (t->addr + 3) & ~3u; a + 4 <= t->addr + t->len; a += 4) {
                    uint32_t v;
                    if (!img_read32(img, a, &v) || v != text)
                        continue;
                    uint32_t lo = a >= 24 + 4 * QSTR_MAX_POOL_LEN ? a - 24 - 4 * QSTR_MAX_POOL_LEN : 0;
                    for (uint32_t h = a - 24; h >= lo && h < a; h -= 4) {
                        uint32_t q;
                        if (pool_header_at(img, h, a, name, &q))
                            return q;
                    }
                }
            }
        }
    }
    return 0;
}

/* Is there a ROM map header at `a`?  Stores its length and table address. */
static bool rom_map_at(const DataImage *img, uint32_t a, uint32_t *n, uint32_t *table)
{
    uint32_t w0, w1, w2;
    if (!img_read32(img, a, &w0) || !img_read32(img, a + 4, &w1) || !img_read32(img, a + 8, &w2))
        return false;
    if ((w0 & 7) != 7 || (w0 >> 3) != w1 || w1 == 0 || w1 > MAP_MAX_LEN)
        return false;
    if (!img_ptr(img, w2, 8 * w1))
        return false;
    for (uint32_t i = 0; i < w1; i++) {
        uint32_t k;
        img_read32(img, w2 + 8 * i, &k);
        if ((k & 7) != 2)
            return false;
    }
    *n = w1;
    *table = w2;
    return true;
}

static int map_find_key(const DataImage *img, uint32_t table, uint32_t n, uint32_t key)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k;
        img_read32(img, table + 8 * i, &k);
        if (k == key)
            return (int)i;
    }
    return -1;
}

static void map_remove(const DataImage *img, uint32_t hdr, uint32_t table, uint32_t n, uint32_t idx)
{
    for (uint32_t i = idx; i + 1 < n; i++) {
        uint32_t k, v;
        img_read32(img, table + 8 * (i + 1), &k);
        img_read32(img, table + 8 * (i + 1) + 4, &v);
        img_write32(img, table + 8 * i, k);
        img_write32(img, table + 8 * i + 4, v);
    }
    img_write32(img, table + 8 * (n - 1), 0);      /* MP_OBJ_NULL: empty slot */
    img_write32(img, table + 8 * (n - 1) + 4, 0);
    uint32_t w0;
    img_read32(img, hdr, &w0);
    img_write32(img, hdr, ((n - 1) << 3) | (w0 & 7));
    img_write32(img, hdr + 4, n - 1);
}

void remove_builtin_module(const DataImage *img, const char *name, ModtableResult *res)
{
    memset(res, 0, sizeof *res);
    uint32_t q = qstr_find(img, name);
    uint32_t q_sys = qstr_find(img, "sys");
    if (q == 0)
        die("uctypes: no static qstr \"%s\" found; is this MicroPython v1.27? (--keep-uctypes skips this step)", name);
    if (q_sys == 0)
        die("uctypes: no static qstr \"sys\" found; cannot identify the module table");
    uint32_t key = (q << 3) | 2, key_sys = (q_sys << 3) | 2;
    res->qstr_uctypes = q;
    uint32_t module_obj = 0;
    for (size_t si = 0; si < img->nsegs; si++) {
        const DataSeg *s = &img->segs[si];
        for (uint32_t a = (s->addr + 3) & ~3u; a + 12 <= s->addr + s->len; a += 4) {
            uint32_t n, table;
            if (!rom_map_at(img, a, &n, &table))
                continue;
            int idx = map_find_key(img, table, n, key);
            if (idx < 0)
                continue;
            uint32_t v;
            img_read32(img, table + 8 * (uint32_t)idx + 4, &v);
            if (module_obj && v != module_obj)
                die("uctypes: two ROM maps give different objects for \"%s\"", name);
            module_obj = v;
            bool is_module_map = map_find_key(img, table, n, key_sys) >= 0;
            if (is_module_map) {
                if (res->module_map_addr)
                    die("uctypes: more than one module table holds \"sys\" and \"%s\"", name);
                res->module_map_addr = a;
            }
            note("uctypes: removed entry %d of %u from the ROM map at %u%s", idx, n, a,
                 is_module_map ? " (mp_builtin_module_map)" : "");
            map_remove(img, a, table, n, (uint32_t)idx);
            res->maps_patched++;
        }
    }
    if (!res->module_map_addr)
        die("uctypes: mp_builtin_module_map (a ROM map holding \"sys\" and \"%s\") not found", name);
}
