/*
 * snapshot.c - boot CPython once, freeze it, and make fresh interpreters as
 * copy-on-write views of the frozen one.
 *
 * A snapshot is the booted interpreter's linear memory in a sealed memfd
 * (only the pages that hold data are written: the rest stays a hole), or
 * for the built-in image the runs of its pages in the file it was loaded
 * from, its
 * instance (the wasm globals), its function table and the little host state
 * that describes guest memory (cpython_vm.utc_name). A fresh interpreter
 * maps the memfd MAP_PRIVATE, so it shares every page with the snapshot
 * until it writes one, and gets its own table, vfs, limits and output.
 *
 * What two interpreters made from one snapshot share: everything the boot
 * computed, which includes CPython's string-hash secret (_Py_HashSecret,
 * drawn from random_get during Py_InitializeEx; changing it afterwards would
 * corrupt every dict the boot built). What they never share: the boot
 * imports no module that keeps a random state (snapshot_check_seedless),
 * so random, os.urandom, secrets, uuid.uuid4() and tempfile draw from
 * random_get in each interpreter, afresh.
 */
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi/abi.h"
#include "cpython_guest.h"
#include "cpython_vm.h"
#include "guests/guest.h"
#include "runtime/image.h" /* session_sum, image_page_is_zero */

struct cpython_snapshot {
    int fd;                       /* sealed memfd of the memory, or (runs) the file holding its pages */
    vm_map_run *runs;             /* where the pages are in fd; NULL: at their own offsets */
    size_t nruns;
    uint64_t bytes;               /* its size */
    Z_cpython_instance_t inst;    /* globals; host pointers are replaced */
    wasm_rt_funcref_t *table;     /* the function table */
    uint32_t table_size;
    uint32_t utc_name;            /* cpython_vm.utc_name */
    uint64_t boot_elapsed_ns;     /* the guest clock at the freeze */
    uint64_t host_digest;         /* host modules installed: their host_boot_digest; 0: none */
    bool host_reseed;             /* that install drew randomness */
};

#define PAGE IMAGE_PAGE

/* Write memory to fd, one pwrite per run of pages holding data. */
static bool write_data_runs(int fd, const uint8_t *mem, uint64_t bytes) {
    uint64_t run = 0, at = 0;
    for (uint64_t off = 0; off <= bytes; off += PAGE) {
        bool data = off < bytes && !image_page_is_zero(mem + off);
        if (data && !run) at = off;
        if (data) {
            run += PAGE;
            continue;
        }
        for (uint64_t done = 0; done < run;) {
            ssize_t n = pwrite(fd, mem + at + done, run - done, (off_t)(at + done));
            if (n <= 0) return false;
            done += (uint64_t)n;
        }
        run = 0;
    }
    return true;
}

static int freeze_memory(const airlock_vm *vm) {
    int fd = memfd_create("airlock-cpython-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    if (ftruncate(fd, (off_t)vm->mem->size) != 0 || !write_data_runs(fd, vm->mem->data, vm->mem->size) ||
        fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

uint64_t cpython_snapshot_bytes(const cpython_snapshot *s) { return s->bytes; }

void cpython_snapshot_free(cpython_snapshot *s) {
    if (!s) return;
    if (s->fd >= 0) close(s->fd);
    free(s->runs);
    free(s->table);
    free(s);
}

/* Whether an externref table holds nothing: only JavaScript makes
 * externrefs, and a fresh interpreter's tables start empty (attach). */
static bool externrefs_null(const wasm_rt_externref_table_t *t) {
    for (uint32_t i = 0; i < t->size; i++)
        if (t->data[i] != wasm_rt_externref_null_value) return false;
    return true;
}

/* Freeze c, a booted interpreter that has run nothing. */
static cpython_snapshot *freeze(const cpython_vm *c) {
    if (!externrefs_null(&c->inst.w2c_T1) || !externrefs_null(&c->inst.w2c_T2)) return NULL;
    cpython_snapshot *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    const wasm_rt_funcref_table_t *t = &c->inst.w2c___indirect_function_table;
    s->fd = freeze_memory(&c->vm);
    s->bytes = c->vm.mem->size;
    s->inst = c->inst;
    s->table_size = t->size;
    s->table = malloc((t->size ? t->size : 1) * sizeof *s->table);
    s->utc_name = c->utc_name;
    s->boot_elapsed_ns = abi_monotonic_ns() - c->vm.ticks_origin_ns;
    if (s->fd < 0 || !s->table) {
        cpython_snapshot_free(s);
        return NULL;
    }
    memcpy(s->table, t->data, t->size * sizeof *s->table);
    return s;
}

cpython_snapshot *cpython_snapshot_new(const cpython_options *opt, int *trap) {
    cpython_options boot_opt = *opt;
    boot_opt.deterministic = false; /* what each fresh interpreter draws is its own */
    cpython_vm *c = cpython_boot(&boot_opt, trap);
    if (!c || *trap) {
        cpython_free(c);
        return NULL;
    }
    cpython_snapshot *s = cpython_snapshot_check_seedless(c) ? freeze(c) : NULL;
    cpython_free(c);
    return s;
}

cpython_snapshot *cpython_snapshot_freeze(const cpython_vm *c) { return freeze(c); }

void cpython_snapshot_set_host(cpython_snapshot *s, uint64_t digest, bool reseed) {
    s->host_digest = digest;
    s->host_reseed = reseed;
}

uint64_t cpython_snapshot_host(const cpython_snapshot *s, bool *reseed) {
    *reseed = s->host_reseed;
    return s->host_digest;
}

/* Give c the snapshot's instance with c's own host pointers and tables. */
static bool attach(cpython_vm *c, const cpython_snapshot *s) {
    c->inst = s->inst;
    c->inst.Z_env_instance = (struct Z_pyenv_instance_t *)&c->vm;
    c->inst.Z_wasi_snapshot_preview1_instance = (struct Z_pywasi_instance_t *)&c->vm;
    c->inst.Z_airlock_instance = (struct Z_pyairlock_instance_t *)&c->vm;
    c->inst.w2c_memory = (wasm_rt_memory_t){.max_pages = s->inst.w2c_memory.max_pages};
    wasm_rt_funcref_t *table = malloc((s->table_size ? s->table_size : 1) * sizeof *table);
    wasm_rt_externref_t *t1 = calloc(s->inst.w2c_T1.size + 1, sizeof *t1);
    wasm_rt_externref_t *t2 = calloc(s->inst.w2c_T2.size + 1, sizeof *t2);
    c->inst.w2c___indirect_function_table.data = table;
    c->inst.w2c_T1.data = t1;
    c->inst.w2c_T2.data = t2;
    if (!table || !t1 || !t2) return false;
    for (uint32_t i = 0; i < s->table_size; i++) {
        table[i] = s->table[i];
        if (table[i].func) table[i].module_instance = &c->inst;
    }
    c->vm.mem = &c->inst.w2c_memory;
    if (s->runs) return vm_memory_map_runs(&c->vm, s->fd, s->bytes, s->runs, s->nruns) == 0;
    return vm_memory_map_snapshot(&c->vm, s->fd, s->bytes) == 0;
}

cpython_vm *cpython_new_from_snapshot(const cpython_snapshot *s, const cpython_options *opt) {
    cpython_vm *c = cpython_vm_new(opt);
    if (!c) return NULL;
    if (c->vm.mem_limit < s->bytes || !attach(c, s)) {
        cpython_free(c);
        return NULL;
    }
    c->utc_name = s->utc_name;
    /* the guest's monotonic clock goes on from where the boot left it */
    c->vm.ticks_origin_ns = abi_monotonic_ns() - s->boot_elapsed_ns;
    return c;
}

/* ---- the build-time image --------------------------------------------------------
 *
 * A snapshot written at build time (guests/cpython/mksnapshot.c) and
 * embedded in the library, so that a process starts from it instead of
 * booting (image_head, then the index of the pages holding data, then
 * those pages). Host pointers never enter it: the function table and
 * everything else but the wasm globals come from an instantiation in the
 * loading process, which must match the image's (the table is checked to
 * be the one instantiation makes when the image is written). Loading
 * checks the head's own checksum, the build and pinned artifacts it was
 * made from, its sizes and page index: a stale image, or one whose head is
 * damaged, is refused, never run. The checksum of every page is checked
 * too for an image from a file; the one built into the library is our own
 * read-only data, as the MicroPython guest's prebuilt image (its pages are
 * not summed at every start: that would be most of the start's cost).
 */

#define IMAGE_MAGIC "airlock cpython snapshot\n"
#define IMAGE_FORMAT 2u
/* The instance's wasm globals: after the import pointers, before the memory. */
#define GLOBALS_AT (offsetof(Z_cpython_instance_t, Z_wasi_snapshot_preview1_instance) + sizeof(void *))
#define GLOBALS_LEN (offsetof(Z_cpython_instance_t, w2c_memory) - GLOBALS_AT)

/* Room in each externref table: the boot grows them by a few entries. */
#define EXTERNREF_MAX (1u << 16)

typedef struct image_head {
    char magic[32];
    uint32_t format, instance_size, globals_len, max_pages;
    char wasm_sha256[72];               /* guest_cpython.sha256, NUL-padded */
    uint64_t stdlib_size, stdlib_sum;   /* of the zip the boot imported from (stdlib_sum) */
    uint64_t memory_bytes, pages;       /* memory size; pages holding data */
    uint32_t table_size, t1_size, t2_size, utc_name;
    uint64_t boot_elapsed_ns;
    uint64_t host_digest;               /* the snapshot's: 0, or the host modules' install */
    uint32_t host_reseed, pad;
    uint8_t globals[GLOBALS_LEN];
    uint64_t sum;                       /* of the index and the pages */
    uint64_t head_sum;                  /* of this head, this field as 0 */
} image_head;

static uint64_t sum_of(const void *data, size_t n) {
    session_sum s;
    session_sum_init(&s);
    session_sum_add(&s, data, n);
    return session_sum_final(&s);
}

/* Where an image's pages begin: after its head and index, page-aligned
 * (the build places the image itself on a page boundary, so that its pages
 * can be mapped straight from the file that holds it: cpython_prebuilt). */
static uint64_t pages_at(uint64_t pages) {
    uint64_t end = sizeof(image_head) + pages * sizeof(uint32_t);
    return (end + PAGE - 1) / PAGE * PAGE;
}

/* Entry i of an image's page index. */
static uint32_t index_at(const uint8_t *index, uint64_t i) {
    uint32_t page;
    memcpy(&page, index + i * sizeof page, sizeof page);
    return page;
}

/* The zip's fingerprint: its end, where the central directory holds every
 * entry's name, sizes and CRC-32. */
#define STDLIB_TAIL (256u << 10)
static uint64_t stdlib_sum(void) {
    uint64_t n = cpython_stdlib_size < STDLIB_TAIL ? cpython_stdlib_size : STDLIB_TAIL;
    return sum_of(cpython_stdlib_zip + cpython_stdlib_size - n, n);
}

static void instantiate_only(airlock_vm *vm, void *arg) {
    (void)arg;
    cpython_vm *c = cpython_of(vm);
    Z_cpython_instantiate(&c->inst, (struct Z_pyairlock_instance_t *)vm, (struct Z_pyenv_instance_t *)vm,
                          (struct Z_pywasi_instance_t *)vm);
}

/* An interpreter just instantiated in this process: its table is the one
 * every image must describe. */
static cpython_vm *instantiated(void) {
    cpython_options opt = {0};
    cpython_vm *c = cpython_vm_new(&opt);
    if (c && vm_call(&c->vm, instantiate_only, NULL) != 0) {
        cpython_free(c);
        return NULL;
    }
    return c;
}

static bool same_table(const cpython_snapshot *s, const wasm_rt_funcref_table_t *t) {
    if (s->table_size != t->size) return false;
    for (uint32_t i = 0; i < t->size; i++) {
        const wasm_rt_funcref_t *a = &s->table[i], *b = &t->data[i];
        if (a->func != b->func || a->func_type != b->func_type || !a->module_instance != !b->module_instance)
            return false;
    }
    return true;
}

static bool write_all(int fd, const void *data, size_t n, session_sum *sum) {
    session_sum_add(sum, data, n);
    for (const uint8_t *p = data; n;) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* The reason into why; false. */
__attribute__((format(printf, 3, 4))) static bool fail(char *why, size_t whysize, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, whysize, fmt, ap);
    va_end(ap);
    return false;
}
#define FAIL(...) fail(why, whysize, __VA_ARGS__)

/* The indices of the pages of mem that hold data; NULL on host OOM. */
static uint32_t *data_pages(const uint8_t *mem, uint64_t bytes, uint64_t *n) {
    uint32_t *index = malloc((bytes / PAGE + 1) * sizeof *index);
    *n = 0;
    for (uint64_t off = 0; index && off < bytes; off += PAGE)
        if (!image_page_is_zero(mem + off)) index[(*n)++] = (uint32_t)(off / PAGE);
    return index;
}

static bool write_image(const cpython_snapshot *s, const uint8_t *mem, int fd, char *why, size_t whysize) {
    image_head h = {.format = IMAGE_FORMAT, .instance_size = sizeof(Z_cpython_instance_t),
                    .globals_len = GLOBALS_LEN, .max_pages = (uint32_t)s->inst.w2c_memory.max_pages,
                    .stdlib_size = cpython_stdlib_size, .stdlib_sum = stdlib_sum(),
                    .memory_bytes = s->bytes, .table_size = s->table_size, .t1_size = s->inst.w2c_T1.size,
                    .t2_size = s->inst.w2c_T2.size, .utc_name = s->utc_name, .boot_elapsed_ns = s->boot_elapsed_ns,
                    .host_digest = s->host_digest, .host_reseed = s->host_reseed};
    memcpy(h.magic, IMAGE_MAGIC, sizeof IMAGE_MAGIC);
    snprintf(h.wasm_sha256, sizeof h.wasm_sha256, "%s", guest_cpython.sha256);
    memcpy(h.globals, (const uint8_t *)&s->inst + GLOBALS_AT, GLOBALS_LEN);
    uint32_t *index = data_pages(mem, s->bytes, &h.pages);
    if (!index) return FAIL("out of memory");
    static const uint8_t zeros[PAGE];
    size_t pad = pages_at(h.pages) - sizeof h - h.pages * sizeof *index;
    session_sum sum;
    session_sum_init(&sum);
    session_sum_add(&sum, index, h.pages * sizeof *index);
    session_sum_add(&sum, zeros, pad);
    for (uint64_t i = 0; i < h.pages; i++) session_sum_add(&sum, mem + (uint64_t)index[i] * PAGE, PAGE);
    h.sum = session_sum_final(&sum);
    h.head_sum = sum_of(&h, sizeof h);
    session_sum ignored;
    session_sum_init(&ignored);
    bool ok = write_all(fd, &h, sizeof h, &ignored) && write_all(fd, index, h.pages * sizeof *index, &ignored) &&
              write_all(fd, zeros, pad, &ignored);
    for (uint64_t i = 0; ok && i < h.pages; i++) ok = write_all(fd, mem + (uint64_t)index[i] * PAGE, PAGE, &ignored);
    free(index);
    return ok || FAIL("write failed");
}

/* A read-only view of s's memory. */
static void *map_view(const cpython_snapshot *s) {
    if (!s->runs) return mmap(NULL, s->bytes, PROT_READ, MAP_PRIVATE, s->fd, 0);
    uint8_t *p = mmap(NULL, s->bytes, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (size_t i = 0; p != MAP_FAILED && i < s->nruns; i++)
        if (mmap(p + s->runs[i].at, s->runs[i].len, PROT_READ, MAP_PRIVATE | MAP_FIXED, s->fd,
                 (off_t)s->runs[i].file_offset) == MAP_FAILED) {
            munmap(p, s->bytes);
            p = MAP_FAILED;
        }
    return p;
}

bool cpython_snapshot_write(const cpython_snapshot *s, int fd, char *why, size_t whysize) {
    cpython_vm *t = instantiated();
    if (!t) return FAIL("cannot instantiate the guest");
    bool same = same_table(s, &t->inst.w2c___indirect_function_table);
    cpython_free(t);
    if (!same) return FAIL("the boot changed the function table: an image cannot describe it");
    void *mem = s->bytes ? map_view(s) : NULL;
    if (mem == MAP_FAILED) return FAIL("cannot map the snapshot");
    bool ok = write_image(s, mem, fd, why, whysize);
    if (mem) munmap(mem, s->bytes);
    return ok;
}

/* The head of an image of len bytes, checked against this build and its
 * own sizes; the page index follows it. */
static bool check_head(const image_head *h, uint64_t len, char *why, size_t whysize) {
    if (memcmp(h->magic, IMAGE_MAGIC, sizeof IMAGE_MAGIC) != 0) return FAIL("not a CPython snapshot");
    image_head zeroed = *h;
    zeroed.head_sum = 0;
    if (sum_of(&zeroed, sizeof zeroed) != h->head_sum) return FAIL("its head fails its checksum");
    if (h->format != IMAGE_FORMAT || h->instance_size != sizeof(Z_cpython_instance_t) ||
        h->globals_len != GLOBALS_LEN)
        return FAIL("made by another build (format %u)", h->format);
    if (strncmp(h->wasm_sha256, guest_cpython.sha256, sizeof h->wasm_sha256) != 0)
        return FAIL("made from another CPython build (%.64s)", h->wasm_sha256);
    if (h->stdlib_size != cpython_stdlib_size || h->stdlib_sum != stdlib_sum())
        return FAIL("made with another standard library");
    uint64_t max = (uint64_t)h->max_pages * 65536;
    if (h->memory_bytes % 65536 || h->memory_bytes > max || h->pages > h->memory_bytes / PAGE)
        return FAIL("bad memory size");
    if (len < pages_at(h->pages) || len - pages_at(h->pages) != h->pages * PAGE) return FAIL("truncated or too long");
    if (h->host_reseed > 1) return FAIL("bad host install flag");
    if (h->t1_size > EXTERNREF_MAX || h->t2_size > EXTERNREF_MAX) return FAIL("bad table size");
    return true;
}

/* The index strictly increasing; with verify, every page against the
 * head's checksum. */
static bool check_body(const image_head *h, const uint8_t *image, uint64_t len, bool verify, char *why,
                       size_t whysize) {
    if (verify && sum_of(image + sizeof *h, len - sizeof *h) != h->sum) return FAIL("checksum mismatch");
    const uint8_t *index = image + sizeof *h;
    for (uint64_t i = 0; i < h->pages; i++) {
        uint32_t page = index_at(index, i);
        if ((i && page <= index_at(index, i - 1)) || page >= h->memory_bytes / PAGE) return FAIL("bad page index");
    }
    return true;
}

/* The image's pages into a sealed memfd, one write per run of consecutive
 * pages (they are consecutive in the image too). */
static int image_memfd(const image_head *h, const uint8_t *image) {
    int fd = memfd_create("airlock-cpython-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    const uint8_t *index = image + sizeof *h, *pages = image + pages_at(h->pages);
    bool ok = ftruncate(fd, (off_t)h->memory_bytes) == 0;
    for (uint64_t i = 0, n; ok && i < h->pages; i += n) {
        uint32_t first = index_at(index, i);
        for (n = 1; i + n < h->pages && index_at(index, i + n) == first + n;) n++;
        ok = pwrite(fd, pages + i * PAGE, n * PAGE, (off_t)first * PAGE) == (ssize_t)(n * PAGE);
    }
    if (!ok || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* The runs of consecutive pages of an image, as they lie in a file that
 * holds the image at offset base; NULL on host OOM. */
static vm_map_run *image_runs(const image_head *h, const uint8_t *image, uint64_t base, size_t *count) {
    const uint8_t *index = image + sizeof *h;
    vm_map_run *runs = malloc((h->pages ? h->pages : 1) * sizeof *runs);
    *count = 0;
    for (uint64_t i = 0, n; runs && i < h->pages; i += n) {
        uint32_t first = index_at(index, i);
        for (n = 1; i + n < h->pages && index_at(index, i + n) == first + n;) n++;
        runs[(*count)++] = (vm_map_run){(uint64_t)first * PAGE, n * PAGE, base + pages_at(h->pages) + i * PAGE};
    }
    return runs;
}

/* Where the built-in image lies in the file it was loaded from (the
 * library, or the program it is linked into). */
typedef struct image_place {
    uintptr_t addr;
    uint64_t len, offset;
    int fd;
} image_place;

static int find_object(struct dl_phdr_info *info, size_t size, void *arg) {
    (void)size;
    image_place *p = arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD || p->addr < start || p->addr - start > ph->p_filesz ||
            p->len > ph->p_filesz - (p->addr - start))
            continue;
        p->offset = ph->p_offset + (p->addr - start);
        p->fd = open(info->dlpi_name[0] ? info->dlpi_name : "/proc/self/exe", O_RDONLY | O_CLOEXEC);
        return 1;
    }
    return 0;
}

/*
 * The file that holds the built-in image, open, with the image's offset in
 * it; -1 when it is not found, its pages are not page-aligned in it, or it
 * does not hold this image: its head and index are compared with the ones
 * in memory, and the head holds the checksum of every page (a library
 * replaced on disk since it was loaded holds another image). Mapping its
 * pages from there spares copying them into a memfd at every start; the
 * file is as trusted as the code beside them.
 */
static int image_file(const image_head *h, const uint8_t *image, uint64_t len, uint64_t *offset) {
    image_place p = {(uintptr_t)image, len, 0, -1};
    dl_iterate_phdr(find_object, &p);
    uint64_t head = pages_at(h->pages);
    uint8_t *copy = p.fd >= 0 && (p.offset + head) % PAGE == 0 ? malloc(head) : NULL;
    bool same = copy && pread(p.fd, copy, head, (off_t)p.offset) == (ssize_t)head && memcmp(copy, image, head) == 0;
    free(copy);
    if (!same && p.fd >= 0) close(p.fd);
    *offset = p.offset;
    return same ? p.fd : -1;
}

/* A snapshot of the image's memory and globals, with t's table; its pages
 * mapped from the file that holds it when map_file finds one. */
static cpython_snapshot *from_image(const image_head *h, const uint8_t *image, uint64_t len, bool map_file,
                                    const cpython_vm *t) {
    cpython_snapshot *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    const wasm_rt_funcref_table_t *table = &t->inst.w2c___indirect_function_table;
    uint64_t offset = 0;
    s->fd = map_file ? image_file(h, image, len, &offset) : -1;
    if (s->fd >= 0 && !(s->runs = image_runs(h, image, offset, &s->nruns))) {
        cpython_snapshot_free(s);
        return NULL;
    }
    if (s->fd < 0) s->fd = image_memfd(h, image);
    s->bytes = h->memory_bytes;
    s->inst = t->inst;
    memcpy((uint8_t *)&s->inst + GLOBALS_AT, h->globals, GLOBALS_LEN);
    /* the externref tables grew during the boot, holding nothing (freeze) */
    s->inst.w2c_T1.size = h->t1_size;
    s->inst.w2c_T2.size = h->t2_size;
    s->table_size = table->size;
    s->table = malloc((table->size ? table->size : 1) * sizeof *s->table);
    s->utc_name = h->utc_name;
    s->boot_elapsed_ns = h->boot_elapsed_ns;
    s->host_digest = h->host_digest;
    s->host_reseed = h->host_reseed != 0;
    if (s->fd < 0 || !s->table) {
        cpython_snapshot_free(s);
        return NULL;
    }
    memcpy(s->table, table->data, table->size * sizeof *s->table);
    return s;
}

static cpython_snapshot *load_image(const void *image, uint64_t len, bool verify, bool map_file, char *why,
                                    size_t whysize) {
    image_head h;
    if (len < sizeof h) {
        FAIL("truncated");
        return NULL;
    }
    memcpy(&h, image, sizeof h);
    if (!check_head(&h, len, why, whysize) || !check_body(&h, image, len, verify, why, whysize)) return NULL;
    cpython_vm *t = instantiated();
    if (!t) {
        FAIL("cannot instantiate the guest");
        return NULL;
    }
    cpython_snapshot *s = NULL;
    if (t->inst.w2c___indirect_function_table.size != h.table_size || t->inst.w2c_memory.max_pages != h.max_pages)
        FAIL("its function table or memory does not match this build's");
    else if (!(s = from_image(&h, image, len, map_file, t)))
        FAIL("out of memory");
    cpython_free(t);
    return s;
}

cpython_snapshot *cpython_snapshot_from_image(const void *image, uint64_t len, bool verify, char *why,
                                              size_t whysize) {
    return load_image(image, len, verify, false, why, whysize);
}

/* The image built into the library (cpython_prebuilt.S; empty in the build
 * tool that makes it, guests/prebuilt_none.c). */
extern const unsigned char cpython_prebuilt_image[];
extern const uint64_t cpython_prebuilt_size;

cpython_snapshot *cpython_snapshot_prebuilt(char *why, size_t whysize) {
    why[0] = '\0';
    if (!cpython_prebuilt_size || getenv("AIRLOCK_NO_PREBUILT")) return NULL;
    return load_image(cpython_prebuilt_image, cpython_prebuilt_size, false, true, why, whysize);
}
