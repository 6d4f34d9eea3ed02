/*
 * image.c - the session image container of image.h, for every guest.
 *
 * Everything in an image is treated as hostile even when its checksums
 * match: a forged file can give the guest any memory contents and any
 * global values, which is no more than guest code can give itself, and
 * every bound the host relies on is checked here or by the guest's loader
 * before use.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "airlock.h"
#include "runtime/image.h"

#define FORMAT_VERSION 3u /* 2: pages may be relative to the snapshot; 3: four-lane payload sum */
#define WASM_PAGE 65536u
#define CHUNK (64u << 10) /* bytes read or written at a time */
#define FNV_INIT 0xcbf29ce484222325ull

static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

uint64_t image_fnv1a(const void *data, size_t n) { return fnv1a(FNV_INIT, data, n); }

/* The same multiply-xor step as FNV-1a, on 64-bit words: each step is a
 * bijection of the state, so changing any one word always changes the sum. */
static uint64_t mix(uint64_t h, uint64_t word) { return (h ^ word) * 0x100000001b3ull; }

void session_sum_init(session_sum *s) {
    *s = (session_sum){0};
    for (int i = 0; i < SESSION_SUM_LANES; i++) s->h[i] = FNV_INIT + (uint64_t)i;
}

/* Word number len / 8 into its lane (the caller counts its bytes). */
static void add_word(session_sum *s, uint64_t w) {
    uint64_t *h = &s->h[(s->len / 8) % SESSION_SUM_LANES];
    *h = mix(*h, w);
}

void session_sum_add(session_sum *s, const void *data, size_t n) {
    const uint8_t *p = data;
    for (; n && s->len % 8; n--, s->len++) {
        s->word |= (uint64_t)*p++ << (8 * (s->len % 8));
        if (s->len % 8 == 7) {
            add_word(s, s->word);
            s->word = 0;
        }
    }
    uint64_t w;
    for (; n >= 8 && (s->len / 8) % SESSION_SUM_LANES; n -= 8, p += 8, s->len += 8) {
        memcpy(&w, p, 8); /* the format is little-endian */
        add_word(s, w);
    }
    /* Lane 0 next: four independent chains per 32 bytes. */
    uint64_t h0 = s->h[0], h1 = s->h[1], h2 = s->h[2], h3 = s->h[3];
    for (; n >= 32; n -= 32, p += 32, s->len += 32) {
        uint64_t q[4];
        memcpy(q, p, 32);
        h0 = mix(h0, q[0]);
        h1 = mix(h1, q[1]);
        h2 = mix(h2, q[2]);
        h3 = mix(h3, q[3]);
    }
    s->h[0] = h0, s->h[1] = h1, s->h[2] = h2, s->h[3] = h3;
    for (; n >= 8; n -= 8, p += 8, s->len += 8) {
        memcpy(&w, p, 8);
        add_word(s, w);
    }
    for (; n; n--, s->len++) s->word |= (uint64_t)*p++ << (8 * (s->len % 8));
}

uint64_t session_sum_final(const session_sum *s) {
    uint64_t h = s->h[0];
    for (int i = 1; i < SESSION_SUM_LANES; i++) h = mix(h, s->h[i]);
    return mix(mix(h, s->word), s->len);
}

bool image_page_is_zero(const uint8_t *p) {
    uint64_t acc = 0;
    for (size_t i = 0; i < IMAGE_PAGE; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    return acc == 0;
}

/* ---- writing ---------------------------------------------------------------- */

static bool write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static void put(image_writer *w, const void *data, size_t n) {
    session_sum_add(&w->sum, data, n);
    if (w->used + n > CHUNK) {
        w->ok = w->ok && write_all(w->fd, w->buf, w->used);
        w->used = 0;
    }
    if (n > CHUNK) {
        w->ok = w->ok && write_all(w->fd, data, n);
        return;
    }
    memcpy(w->buf + w->used, data, n);
    w->used += n;
}

bool image_write_begin(image_writer *w, int fd, const void *instance, uint32_t instance_bytes, const char *cwd) {
    static const file_header blank;
    *w = (image_writer){.fd = fd, .buf = malloc(CHUNK), .ok = true};
    session_sum_init(&w->sum);
    if (!w->buf || !write_all(fd, &blank, sizeof blank)) {
        free(w->buf);
        w->buf = NULL;
        return false;
    }
    put(w, instance, instance_bytes);
    uint32_t cwd_len = (uint32_t)strlen(cwd);
    put(w, &cwd_len, 4);
    put(w, cwd, cwd_len);
    return true;
}

void image_write_page(image_writer *w, uint32_t index, const uint8_t *page) {
    put(w, &index, 4);
    put(w, page, IMAGE_PAGE);
    w->pages++;
}

void image_write_nonzero_pages(image_writer *w, const uint8_t *mem, uint64_t bytes) {
    for (uint64_t off = 0; off < bytes; off += IMAGE_PAGE)
        if (!image_page_is_zero(mem + off)) image_write_page(w, (uint32_t)(off / IMAGE_PAGE), mem + off);
}

static void guest_sha(const image_spec *spec, uint8_t out[32]) { session_sha_bytes(spec->sha256, out); }

bool image_write_end(image_writer *w, file_header *h, const image_spec *spec) {
    bool ok = w->ok && write_all(w->fd, w->buf, w->used);
    free(w->buf);
    w->buf = NULL;
    if (!ok) return false;
    memcpy(h->magic, SESSION_MAGIC, 8);
    h->format_version = FORMAT_VERSION;
    h->header_bytes = sizeof *h;
    snprintf(h->airlock_version, sizeof h->airlock_version, "%s", AIRLOCK_VERSION);
    guest_sha(spec, h->guest_sha256);
    h->layout_id = spec->layout_id;
    h->instance_bytes = spec->instance_bytes;
    h->page_count = w->pages;
    h->payload_checksum = session_sum_final(&w->sum);
    h->header_checksum = fnv1a(FNV_INIT, h, offsetof(file_header, header_checksum));
    return lseek(w->fd, 0, SEEK_SET) == 0 && write_all(w->fd, h, sizeof *h);
}

void image_seal(uint8_t *image, size_t len) {
    file_header h;
    memcpy(&h, image, sizeof h);
    session_sum sum;
    session_sum_init(&sum);
    session_sum_add(&sum, image + sizeof h, len - sizeof h);
    h.payload_checksum = session_sum_final(&sum);
    h.header_checksum = fnv1a(FNV_INIT, &h, offsetof(file_header, header_checksum));
    memcpy(image, &h, sizeof h);
}

/* ---- reading ----------------------------------------------------------------- */

void session_source_fd(session_source *src, int fd, uint64_t len) {
    *src = (session_source){.fd = fd, .len = len, .verify = true};
    session_sum_init(&src->sum);
}

void session_source_mem(session_source *src, const void *data, size_t len, bool verify) {
    *src = (session_source){.fd = -1, .mem = data, .len = len, .verify = verify};
    session_sum_init(&src->sum);
}

void session_source_free(session_source *src) {
    free(src->chunk);
    src->chunk = NULL;
}

/* Refill the chunk buffer from the file: at most CHUNK bytes, never past
 * the size fstat gave. */
static bool refill(session_source *s) {
    if (!s->chunk && !(s->chunk = malloc(CHUNK))) {
        s->io_errno = ENOMEM;
        return false;
    }
    uint64_t want = s->len - s->pos < CHUNK ? s->len - s->pos : CHUNK;
    ssize_t got;
    do got = read(s->fd, s->chunk, (size_t)want);
    while (got < 0 && errno == EINTR);
    if (got < 0) s->io_errno = errno;
    if (got <= 0) return false; /* an error, or the file shrank since fstat */
    s->chunk_len = (size_t)got;
    s->chunk_pos = 0;
    return true;
}

/* Copy the next n bytes to dst; false past the end of the image or on a
 * read error. */
static bool take(session_source *s, void *dst, size_t n) {
    if (n > s->len - s->pos) return false;
    uint8_t *d = dst;
    size_t want = n;
    if (s->fd < 0) {
        memcpy(d, s->mem + s->pos, n);
    } else {
        while (want) {
            if (s->chunk_pos == s->chunk_len && !refill(s)) return false;
            size_t k = s->chunk_len - s->chunk_pos < want ? s->chunk_len - s->chunk_pos : want;
            memcpy(d, s->chunk + s->chunk_pos, k);
            s->chunk_pos += k;
            d += k;
            want -= k;
        }
    }
    s->pos += n;
    if (s->verify) session_sum_add(&s->sum, dst, n);
    return true;
}

#define REFUSE(...) (snprintf(why, why_size, __VA_ARGS__), AIRLOCK_CORRUPT)
/* A read that came up short: an I/O error, or a file cut short. */
#define SHORT(s) ((s)->io_errno ? (snprintf(why, why_size, "%s", strerror((s)->io_errno)), AIRLOCK_IOERR) \
                                : REFUSE("the file is truncated"))

/* The payload's size is fixed by the header up to the working directory's
 * length: the whole image must be within VFS_PATH_MAX bytes of it. */
static int check_size(const file_header *h, uint64_t total, char *why, size_t why_size) {
    uint64_t fixed = sizeof *h + h->instance_bytes + 4 + (uint64_t)h->page_count * (4 + IMAGE_PAGE);
    if (total < fixed) return REFUSE("the file is truncated");
    if (total - fixed >= VFS_PATH_MAX) return REFUSE("the file is longer than its header declares");
    return AIRLOCK_OK;
}

static int check_header(const file_header *h, const image_spec *spec, uint64_t total, uint64_t mem_limit, char *why,
                        size_t why_size) {
    uint8_t sha[32];
    guest_sha(spec, sha);
    if (memcmp(h->magic, SESSION_MAGIC, 8) != 0) return REFUSE("not an airlock session file");
    if (h->header_checksum != fnv1a(FNV_INIT, h, offsetof(file_header, header_checksum)))
        return REFUSE("the header is corrupted");
    if (h->format_version != FORMAT_VERSION || h->header_bytes != sizeof *h)
        return REFUSE("format version %u is not supported", h->format_version);
    if (strncmp(h->airlock_version, AIRLOCK_VERSION, sizeof h->airlock_version) != 0)
        return REFUSE("written by airlock %.16s, this is %s", h->airlock_version, AIRLOCK_VERSION);
    if (memcmp(h->guest_sha256, sha, 32) != 0 || h->layout_id != spec->layout_id ||
        h->instance_bytes != spec->instance_bytes)
        return REFUSE("written for a different guest build");
    if (h->memory_bytes % WASM_PAGE || h->memory_bytes == 0 || h->memory_bytes > (4ull << 30))
        return REFUSE("bad memory size");
    if (h->memory_bytes > mem_limit)
        return REFUSE("its memory (%llu bytes) exceeds the memory limit", (unsigned long long)h->memory_bytes);
    if (h->page_count > h->memory_bytes / IMAGE_PAGE) return REFUSE("bad page count");
    return check_size(h, total, why, why_size);
}

int image_read_head(session_source *src, const image_spec *spec, uint64_t mem_limit, file_header *h, void *instance,
                    char cwd[VFS_PATH_MAX], char *why, size_t why_size) {
    if (src->len < sizeof *h) return REFUSE("not an airlock session file (too short)");
    bool verify = src->verify;
    src->verify = false; /* the header has its own checksum */
    bool got = take(src, h, sizeof *h);
    src->verify = verify;
    if (!got) return SHORT(src);
    int rc = check_header(h, spec, src->len, mem_limit, why, why_size);
    if (rc) return rc;
    uint32_t cwd_len;
    if (!take(src, instance, spec->instance_bytes) || !take(src, &cwd_len, 4)) return SHORT(src);
    if (cwd_len >= VFS_PATH_MAX) return REFUSE("bad working directory");
    if (!take(src, cwd, cwd_len)) return SHORT(src);
    cwd[cwd_len] = '\0';
    return AIRLOCK_OK;
}

int image_read_pages(session_source *src, const file_header *h, session_page_fn dest, void *ctx, char *why,
                     size_t why_size) {
    int64_t last = -1;
    for (uint32_t i = 0; i < h->page_count; i++) {
        uint32_t index;
        if (!take(src, &index, 4)) return SHORT(src);
        if ((int64_t)index <= last || (uint64_t)index * IMAGE_PAGE >= h->memory_bytes) return REFUSE("bad page index");
        last = index;
        uint8_t *to = dest(ctx, index);
        if (!to) return REFUSE("cannot place page %u", index);
        if (!take(src, to, IMAGE_PAGE)) return SHORT(src);
    }
    if (src->pos != src->len) return REFUSE("trailing bytes after the last page");
    if (src->verify && session_sum_final(&src->sum) != h->payload_checksum)
        return REFUSE("the contents are corrupted (checksum mismatch)");
    return AIRLOCK_OK;
}
