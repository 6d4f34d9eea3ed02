/*
 * Minimal reader for the data section of a WebAssembly binary.
 *
 * Why not Binaryen: v108's C API can read segment bytes but has no way to
 * change one byte of a segment short of rebuilding the whole memory
 * (BinaryenSetMemory), which would also have to re-create the memory export.
 * The data patches this tool makes never change a length, so it is simpler
 * and safer to patch the file bytes in place before Binaryen parses them.
 */
#include "patch.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const uint8_t *p, *end;
} Reader;

static uint64_t read_uleb(Reader *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            die("wasm: truncated LEB128");
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    die("wasm: LEB128 too long");
}

static int64_t read_sleb(Reader *r)
{
    int64_t v = 0;
    unsigned shift = 0;
    uint8_t b;
    do {
        if (r->p >= r->end || shift >= 64)
            die("wasm: bad signed LEB128");
        b = *r->p++;
        v |= (int64_t)((uint64_t)(b & 0x7f) << shift);
        shift += 7;
    } while (b & 0x80);
    if (shift < 64 && (b & 0x40))
        v |= -((int64_t)1 << shift);
    return v;
}

/* Reads a constant offset expression `i32.const N end`.  Returns false for
 * anything else (e.g. global.get), whose address is unknown at build time. */
static bool read_offset_expr(Reader *r, uint32_t *addr)
{
    bool ok = false;
    if (r->p < r->end && *r->p == 0x41) { /* i32.const */
        r->p++;
        *addr = (uint32_t)read_sleb(r);
        ok = true;
    }
    while (r->p < r->end && *r->p != 0x0b) /* skip to `end` */
        r->p++;
    if (r->p >= r->end)
        die("wasm: unterminated offset expression");
    r->p++;
    return ok;
}

static void parse_data_section(DataImage *img, Reader *r)
{
    uint64_t n = read_uleb(r);
    img->segs = calloc(n ? n : 1, sizeof *img->segs);
    if (!img->segs)
        die("out of memory");
    for (uint64_t i = 0; i < n; i++) {
        uint64_t flags = read_uleb(r);
        uint32_t addr = 0;
        bool active = false;
        if (flags == 0) {
            active = read_offset_expr(r, &addr);
        } else if (flags == 2) {
            if (read_uleb(r) != 0)
                die("wasm: data segment for a memory other than 0");
            active = read_offset_expr(r, &addr);
        } else if (flags != 1) {
            die("wasm: unknown data segment flags %llu", (unsigned long long)flags);
        }
        uint64_t len = read_uleb(r);
        if (len > (uint64_t)(r->end - r->p))
            die("wasm: data segment overruns its section");
        if (active) {
            DataSeg *s = &img->segs[img->nsegs++];
            s->addr = addr;
            s->len = (uint32_t)len;
            s->file_off = (size_t)(r->p - img->buf);
        }
        r->p += len;
    }
}

void data_image_load(DataImage *img, uint8_t *buf, size_t size)
{
    memset(img, 0, sizeof *img);
    img->buf = buf;
    img->size = size;
    if (size < 8 || memcmp(buf, "\0asm\1\0\0\0", 8) != 0)
        die("input is not a WebAssembly 1.0 binary");
    Reader r = {buf + 8, buf + size};
    while (r.p < r.end) {
        uint8_t id = *r.p++;
        uint64_t len = read_uleb(&r);
        if (len > (uint64_t)(r.end - r.p))
            die("wasm: section %u overruns the file", id);
        if (id == 11) {
            Reader s = {r.p, r.p + len};
            parse_data_section(img, &s);
        }
        r.p += len;
    }
}

void data_image_free(DataImage *img)
{
    free(img->segs);
    img->segs = NULL;
    img->nsegs = 0;
}

uint8_t *img_ptr(const DataImage *img, uint32_t addr, uint32_t len)
{
    for (size_t i = 0; i < img->nsegs; i++) {
        const DataSeg *s = &img->segs[i];
        if (addr >= s->addr && (uint64_t)addr + len <= (uint64_t)s->addr + s->len)
            return img->buf + s->file_off + (addr - s->addr);
    }
    return NULL;
}

bool img_read32(const DataImage *img, uint32_t addr, uint32_t *out)
{
    const uint8_t *p = img_ptr(img, addr, 4);
    if (!p)
        return false;
    *out = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return true;
}

void img_write32(const DataImage *img, uint32_t addr, uint32_t v)
{
    uint8_t *p = img_ptr(img, addr, 4);
    if (!p)
        die("internal: write outside the data image at %u", addr);
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
