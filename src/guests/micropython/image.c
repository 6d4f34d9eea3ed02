/*
 * image.c - the MicroPython guest's session images: clone a vm, write its
 * state as an image, read one back (session.c has the API around them;
 * the built-in snapshot is an image too).
 *
 * A session is the guest's linear memory and the instance's globals; the
 * host-side pointers (memory, table, imports) are never stored, they are
 * always rebuilt for the loading process. A file is refused unless it was
 * written by this airlock version from this guest build, has the exact
 * length its header announces, and both checksums match. Everything in it
 * is still treated as hostile: a forged file can give the guest any memory
 * contents and any global values, which is no more than guest code can give
 * itself, and every bound the host relies on is checked before use.
 *
 * Layout (little-endian):
 *   header (128 bytes)   see struct file_header
 *   instance globals     sizeof(Z_guest_instance_t) bytes
 *   cwd                  u32 length, then the bytes
 *   pages                page_count x (u32 page index, 4096 bytes), ascending;
 *                        absent pages are zero
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guests/micropython/image.h"
#include "guests/micropython/micropython.h"
#include "sandbox.h"
#include "vfs/vfs.h"

#define FORMAT_VERSION 2u /* 2: pages may be relative to the snapshot */
#define PAGE 4096u
#define WASM_PAGE 65536u
#define CHUNK (64u << 10) /* bytes read or written at a time */



/* FNV-1a, for the header and the layout id. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n) {
    const uint8_t *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}
#define FNV_INIT 0xcbf29ce484222325ull

/* The same multiply-xor step as FNV-1a, on 64-bit words: each step is a
 * bijection of the state, so changing any one word always changes the sum. */
static uint64_t mix(uint64_t h, uint64_t word) { return (h ^ word) * 0x100000001b3ull; }

void session_sum_init(session_sum *s) { *s = (session_sum){.h = FNV_INIT}; }

void session_sum_add(session_sum *s, const void *data, size_t n) {
    const uint8_t *p = data;
    for (; n && s->len % 8; n--, s->len++) {
        s->word |= (uint64_t)*p++ << (8 * (s->len % 8));
        if (s->len % 8 == 7) {
            s->h = mix(s->h, s->word);
            s->word = 0;
        }
    }
    for (; n >= 8; n -= 8, p += 8, s->len += 8) {
        uint64_t w;
        memcpy(&w, p, 8); /* the format is little-endian */
        s->h = mix(s->h, w);
    }
    for (; n; n--, s->len++) s->word |= (uint64_t)*p++ << (8 * (s->len % 8));
}

uint64_t session_sum_final(const session_sum *s) { return mix(mix(s->h, s->word), s->len); }

/* What must match for globals and memory to mean the same thing. */
static uint64_t layout_id(void) {
    uint64_t parts[] = {sizeof(Z_guest_instance_t), AIRLOCK_GC_AREA_ADDR, AIRLOCK_MP_PENDING_EXCEPTION_ADDR,
                        AIRLOCK_FUEL_METERED};
    return fnv1a(FNV_INIT, parts, sizeof parts);
}

static void guest_sha(uint8_t out[32]) { session_sha_bytes(guest_micropython.sha256, out); }

/* ---- clone --------------------------------------------------------------- */

int mp_clone(airlock_runtime *rt, airlock_vm *src, airlock_vm **out, char *err, size_t errsize) {
    (void)err, (void)errsize;
    airlock_vm *vm = *out = mp_vm_alloc(rt);
    if (!vm) return AIRLOCK_NOMEM;
    int rc = mp_attach_vm(rt, vm, &src->inst);
    if (rc) return rc;
    uint64_t bytes = src->inst.w2c_memory.size;
    if (vm_memory_map(vm, (uint32_t)(bytes / WASM_PAGE)) != 0) return AIRLOCK_NOMEM;
    memcpy(vm->mem_base, src->mem_base, bytes);
    vm->run_ref = src->run_ref;
    vm->slots = src->slots;
    vfs_chdir(vm->vfs, vfs_getcwd(src->vfs));
    return AIRLOCK_OK;
}

/* ---- save ------------------------------------------------------------------ */

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

/* Buffered output of the payload, with its checksum. */
typedef struct writer {
    int fd;
    uint8_t *buf;
    size_t used;
    session_sum sum;
    bool ok;
} writer;

static void put(writer *w, const void *data, size_t n) {
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

static bool page_is_zero(const uint8_t *p) {
    static const uint8_t zero[PAGE];
    return memcmp(p, zero, PAGE) == 0;
}

/*
 * The pages an image must hold: those that differ from what loading puts
 * there anyway. Against a snapshot (base != 0) that is every page written
 * since the snapshot was mapped (pagemap knows, without reading them), less
 * zero pages past the snapshot's end; in a self-contained image, every
 * non-zero page, where pagemap spares reading untouched anonymous ones.
 * Where pagemap cannot tell, the page is read.
 */
static void put_pages(writer *w, const airlock_vm *vm, const mp_runtime *mp, uint64_t base, uint32_t *count) {
    uint64_t pages = vm->inst.w2c_memory.size / PAGE;
    uint64_t mapped = vm->snap_mapped && mp ? mp->snap_bytes / PAGE : 0; /* pages from the snapshot */
    uint8_t written[512];
    for (uint64_t first = 0; first < pages; first += sizeof written) {
        uint32_t n = pages - first < sizeof written ? (uint32_t)(pages - first) : (uint32_t)sizeof written;
        bool known = mp && mp->pagemap_fd >= 0 && vm_memory_written(vm, mp->pagemap_fd, first, n, written) == n;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t index = (uint32_t)(first + i);
            const uint8_t *p = vm->mem_base + (uint64_t)index * PAGE;
            bool untouched = known && !written[i], from_snapshot = index < mapped;
            bool keep = base ? !untouched && (from_snapshot || !page_is_zero(p))
                             : !(untouched && !from_snapshot) && !page_is_zero(p);
            if (!keep) continue;
            put(w, &index, 4);
            put(w, p, PAGE);
            (*count)++;
        }
    }
}

/* Write header placeholder, payload, then the real header. */
bool session_write(int fd, airlock_vm *vm, const airlock_runtime *rt) {
    const mp_runtime *mp = rt ? mp_of(rt) : NULL;
    file_header h = {0};
    writer w = {.fd = fd, .buf = malloc(CHUNK), .ok = true};
    session_sum_init(&w.sum);
    if (!w.buf || !write_all(fd, &h, sizeof h)) {
        free(w.buf);
        return false;
    }
    Z_guest_instance_t globals = vm->inst;
    /* host pointers are meaningless in a file: store zeros */
    globals.Z_airlock_instance = NULL;
    globals.Z_env_instance = NULL;
    globals.Z_wasi_snapshot_preview1_instance = NULL;
    globals.w2c_memory = (wasm_rt_memory_t){0};
    globals.w2c___indirect_function_table = (wasm_rt_funcref_table_t){0};
    put(&w, &globals, sizeof globals);
    const char *cwd = vfs_getcwd(vm->vfs);
    uint32_t cwd_len = (uint32_t)strlen(cwd);
    put(&w, &cwd_len, 4);
    put(&w, cwd, cwd_len);
    /* Only against a snapshot every loading process has (the built-in
     * one), and only when pagemap says which pages were written. */
    h.base_id = mp && mp->snap_id && vm->snap_mapped && mp->pagemap_fd >= 0 ? mp->snap_id : 0;
    put_pages(&w, vm, mp, h.base_id, &h.page_count);
    bool ok = w.ok && write_all(fd, w.buf, w.used);
    free(w.buf);
    if (!ok) return false;
    memcpy(h.magic, SESSION_MAGIC, 8);
    h.format_version = FORMAT_VERSION;
    h.header_bytes = sizeof h;
    snprintf(h.airlock_version, sizeof h.airlock_version, "%s", AIRLOCK_VERSION);
    guest_sha(h.guest_sha256);
    h.layout_id = layout_id();
    h.memory_bytes = vm->inst.w2c_memory.size;
    h.instance_bytes = sizeof globals;
    h.run_ref = vm->run_ref;
    h.slots = vm->slots;
    h.payload_checksum = session_sum_final(&w.sum);
    h.header_checksum = fnv1a(FNV_INIT, &h, offsetof(file_header, header_checksum));
    return lseek(fd, 0, SEEK_SET) == 0 && write_all(fd, &h, sizeof h);
}

bool mp_save(int fd, airlock_vm *vm, airlock_runtime *rt) { return session_write(fd, vm, rt); }

/* ---- load ------------------------------------------------------------------ */


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
    uint64_t fixed = sizeof *h + h->instance_bytes + 4 + (uint64_t)h->page_count * (4 + PAGE);
    if (total < fixed) return REFUSE("the file is truncated");
    if (total - fixed >= VFS_PATH_MAX) return REFUSE("the file is longer than its header declares");
    return AIRLOCK_OK;
}

static int check_header(const file_header *h, uint64_t total, uint64_t mem_limit, char *why, size_t why_size) {
    uint8_t sha[32];
    guest_sha(sha);
    if (memcmp(h->magic, SESSION_MAGIC, 8) != 0) return REFUSE("not an airlock session file");
    if (h->header_checksum != fnv1a(FNV_INIT, h, offsetof(file_header, header_checksum)))
        return REFUSE("the header is corrupted");
    if (h->format_version != FORMAT_VERSION || h->header_bytes != sizeof *h)
        return REFUSE("format version %u is not supported", h->format_version);
    if (strncmp(h->airlock_version, AIRLOCK_VERSION, sizeof h->airlock_version) != 0)
        return REFUSE("written by airlock %.16s, this is %s", h->airlock_version, AIRLOCK_VERSION);
    if (memcmp(h->guest_sha256, sha, 32) != 0 || h->layout_id != layout_id() ||
        h->instance_bytes != sizeof(Z_guest_instance_t))
        return REFUSE("written for a different guest build");
    if (h->memory_bytes % WASM_PAGE || h->memory_bytes == 0 || h->memory_bytes > (4ull << 30))
        return REFUSE("bad memory size");
    if (h->memory_bytes > mem_limit)
        return REFUSE("its memory (%llu bytes) exceeds the memory limit", (unsigned long long)h->memory_bytes);
    if (h->page_count > h->memory_bytes / PAGE) return REFUSE("bad page count");
    return check_size(h, total, why, why_size);
}

int session_read_head(session_source *src, uint64_t mem_limit, session_head *head, char *why, size_t why_size) {
    if (src->len < sizeof head->h) return REFUSE("not an airlock session file (too short)");
    bool verify = src->verify;
    src->verify = false; /* the header has its own checksum */
    bool got = take(src, &head->h, sizeof head->h);
    src->verify = verify;
    if (!got) return SHORT(src);
    int rc = check_header(&head->h, src->len, mem_limit, why, why_size);
    if (rc) return rc;
    uint32_t cwd_len;
    if (!take(src, &head->globals, sizeof head->globals) || !take(src, &cwd_len, 4)) return SHORT(src);
    if (cwd_len >= VFS_PATH_MAX) return REFUSE("bad working directory");
    if (!take(src, head->cwd, cwd_len)) return SHORT(src);
    head->cwd[cwd_len] = '\0';
    return AIRLOCK_OK;
}

int session_read_pages(session_source *src, const session_head *head, session_page_fn dest, void *ctx, char *why,
                       size_t why_size) {
    int64_t last = -1;
    for (uint32_t i = 0; i < head->h.page_count; i++) {
        uint32_t index;
        if (!take(src, &index, 4)) return SHORT(src);
        if ((int64_t)index <= last || (uint64_t)index * PAGE >= head->h.memory_bytes) return REFUSE("bad page index");
        last = index;
        uint8_t *to = dest(ctx, index);
        if (!to) return REFUSE("cannot place page %u", index);
        if (!take(src, to, PAGE)) return SHORT(src);
    }
    if (src->pos != src->len) return REFUSE("trailing bytes after the last page");
    if (src->verify && session_sum_final(&src->sum) != head->h.payload_checksum)
        return REFUSE("the contents are corrupted (checksum mismatch)");
    return AIRLOCK_OK;
}

void session_apply_globals(const session_head *head, airlock_vm *vm) {
    Z_guest_instance_t globals = head->globals;
    /* everything but the host pointers, which stay vm's own */
    globals.Z_airlock_instance = vm->inst.Z_airlock_instance;
    globals.Z_env_instance = vm->inst.Z_env_instance;
    globals.Z_wasi_snapshot_preview1_instance = vm->inst.Z_wasi_snapshot_preview1_instance;
    globals.w2c_memory = vm->inst.w2c_memory;
    globals.w2c___indirect_function_table = vm->inst.w2c___indirect_function_table;
    vm->inst = globals;
    vm->run_ref = head->h.run_ref;
    vm->slots = head->h.slots;
}

static uint8_t *page_in_vm(void *ctx, uint32_t index) {
    airlock_vm *vm = ctx;
    return vm->mem_base + (uint64_t)index * PAGE;
}

/* vm from the image whose head was read. */
static int fill_from_image(airlock_runtime *rt, airlock_vm *vm, session_source *src, const session_head *head,
                           char *why, size_t whysize) {
    const mp_runtime *mp = mp_of(rt);
    const file_header *h = &head->h;
    if (h->run_ref != mp->run_ref || h->slots != mp->slots) {
        snprintf(why, whysize, "written by a differently configured runtime");
        return AIRLOCK_CORRUPT;
    }
    if (h->base_id && (h->base_id != mp->snap_id || h->memory_bytes < mp->snap_bytes)) {
        snprintf(why, whysize, "saved against another start-up snapshot (another build, or plugins)");
        return AIRLOCK_CORRUPT;
    }
    int rc = mp_attach_vm(rt, vm, &mp->snap_inst);
    if (rc) return rc;
    /* Memory reads as the base the image was saved against (the snapshot,
     * copy-on-write, or zero), so only the stored pages are written and
     * nothing else is touched. */
    if (h->base_id) {
        uint32_t more = (uint32_t)((h->memory_bytes - mp->snap_bytes) / WASM_PAGE);
        if (vm_memory_map_snapshot(vm, mp->snap_fd, mp->snap_bytes) != 0 || (more && vm_memory_grow(vm, more) < 0))
            return AIRLOCK_NOMEM;
    } else if (vm_memory_map(vm, (uint32_t)(h->memory_bytes / WASM_PAGE)) != 0) {
        return AIRLOCK_NOMEM;
    }
    rc = session_read_pages(src, head, page_in_vm, vm, why, whysize);
    if (rc) return rc;
    session_apply_globals(head, vm);
    vfs_chdir(vm->vfs, head->cwd); /* a directory that no longer exists leaves "/" */
    return AIRLOCK_OK;
}

int mp_load(airlock_runtime *rt, int fd, const void *mem, uint64_t len, airlock_vm **out, char *why,
            size_t whysize) {
    session_source src;
    session_head *head = malloc(sizeof *head);
    if (fd >= 0) session_source_fd(&src, fd, len);
    else session_source_mem(&src, mem, (size_t)len, true);
    int rc = head ? session_read_head(&src, rt->limits.memory_bytes, head, why, whysize) : AIRLOCK_NOMEM;
    if (rc == AIRLOCK_OK) rc = (*out = mp_vm_alloc(rt)) ? fill_from_image(rt, *out, &src, head, why, whysize)
                                                      : AIRLOCK_NOMEM;
    session_source_free(&src);
    free(head);
    return rc;
}
