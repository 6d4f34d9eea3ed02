/*
 * session.c - the CPython guest's sessions: clone an interpreter, save its
 * state as a session image (runtime/image.h), load one back.
 *
 * An interpreter's state is its linear memory, the wasm globals (the stack
 * pointer, the eval loop's signal clock, the fuel counter) and the little
 * host state that describes guest memory or continues a sequence the guest
 * sees: cpython_vm.utc_name, the deterministic clock and generator, the
 * guest's monotonic clock. The function and externref tables are the
 * module's and never change, so they are never stored.
 *
 * A loaded or cloned interpreter starts as a fresh one from guest_cpython's
 * vm_new (booted or from the start-up snapshot, with its own private
 * mounts /.airlock/in and /.airlock/out, host state and cwd), whose memory
 * and globals are then replaced. Memory is self-contained in the image
 * (every non-zero page; absent pages are zero), so an image does not
 * depend on the start-up snapshot it came from (the build-time one is the
 * same in every process of one build; AIRLOCK_NO_PREBUILT=1 boots one per
 * process).
 *
 * Not kept, as for the MicroPython guest: open files and sockets (a file
 * object of the saved interpreter finds its descriptor closed: EBADF) and
 * the contents of /tmp.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "abi/abi.h"
#include "cpython_vm.h"
#include "guests/cpython/session.h"
#include "guests/guest.h"
#include "runtime/image.h"
#include "sandbox.h"
#include "vfs/vfs.h"

#define WASM_PAGE 65536u

/* The image's instance part: the wasm globals (cpython_vm.h), stored as
 * they are, and the host state that goes with memory. No host pointer is
 * ever written to a file or read from one. */
typedef struct cpy_saved {
    uint8_t globals[CPYTHON_GLOBALS_TO - CPYTHON_GLOBALS_FROM];
    uint64_t rng_state;  /* deterministic random_get */
    uint64_t det_ms;     /* deterministic clock: readings so far */
    uint64_t elapsed_ns; /* the guest's monotonic clock */
    uint32_t utc_name;
    uint32_t random_draws;
} cpy_saved;

extern const vfs_embedded_tree cpython_driver_tree;

static uint64_t layout;
static pthread_once_t layout_once = PTHREAD_ONCE_INIT;

/* The instance's layout and the driver whose objects a session holds. */
static void compute_layout(void) {
    uint64_t parts[] = {sizeof(Z_cpython_instance_t), sizeof(cpy_saved), CPYTHON_GLOBALS_FROM, CPYTHON_GLOBALS_TO,
                        vfs_embedded_digest(&cpython_driver_tree)};
    layout = image_fnv1a(parts, sizeof parts);
}

static image_spec spec(void) {
    pthread_once(&layout_once, compute_layout);
    return (image_spec){guest_cpython.sha256, layout, sizeof(cpy_saved)};
}

static void capture(const cpython_vm *c, cpy_saved *s) {
    memset(s, 0, sizeof *s);
    memcpy(s->globals, (const uint8_t *)&c->inst + CPYTHON_GLOBALS_FROM, sizeof s->globals);
    s->rng_state = c->vm.rng_state;
    s->det_ms = c->vm.det_ms;
    s->elapsed_ns = abi_monotonic_ns() - c->vm.ticks_origin_ns;
    s->utc_name = c->utc_name;
    s->random_draws = c->vm.random_draws;
}

/* Give c the saved globals and host state. */
static void restore(cpython_vm *c, const cpy_saved *s) {
    memcpy((uint8_t *)&c->inst + CPYTHON_GLOBALS_FROM, s->globals, sizeof s->globals);
    c->vm.rng_state = s->rng_state;
    c->vm.det_ms = s->det_ms;
    c->vm.ticks_origin_ns = abi_monotonic_ns() - s->elapsed_ns;
    c->utc_name = s->utc_name;
    c->vm.random_draws = s->random_draws;
    c->vm.pristine = false;
}

/* A fresh interpreter whose memory is `bytes` of zeros, to be filled. */
static int blank_vm(airlock_runtime *rt, uint64_t bytes, airlock_vm **out, char *err, size_t errsize) {
    int rc = guest_cpython.vm_new(rt, out, err, errsize);
    if (rc) return rc;
    vm_memory_unmap(*out);
    return vm_memory_map(*out, (uint32_t)(bytes / WASM_PAGE)) == 0 ? AIRLOCK_OK : AIRLOCK_NOMEM;
}

/* ---- clone --------------------------------------------------------------- */

int cpython_session_clone(airlock_runtime *rt, airlock_vm *src, airlock_vm **out, char *err, size_t errsize) {
    uint64_t bytes = src->mem->size;
    int rc = blank_vm(rt, bytes, out, err, errsize);
    if (rc) return rc;
    /* only the pages that hold data: the rest of the copy stays untouched */
    for (uint64_t off = 0; off < bytes; off += IMAGE_PAGE)
        if (!image_page_is_zero(src->mem_base + off)) memcpy((*out)->mem_base + off, src->mem_base + off, IMAGE_PAGE);
    cpy_saved s;
    capture(cpython_of(src), &s);
    restore(cpython_of(*out), &s);
    vfs_chdir((*out)->vfs, vfs_getcwd(src->vfs));
    return AIRLOCK_OK;
}

/* ---- save ------------------------------------------------------------------ */

bool cpython_session_save(int fd, airlock_vm *vm, airlock_runtime *rt) {
    (void)rt;
    cpy_saved s;
    capture(cpython_of(vm), &s);
    image_writer w;
    if (!image_write_begin(&w, fd, &s, sizeof s, vfs_getcwd(vm->vfs))) return false;
    image_write_nonzero_pages(&w, vm->mem_base, vm->mem->size);
    file_header h = {.memory_bytes = vm->mem->size};
    image_spec sp = spec();
    return image_write_end(&w, &h, &sp);
}

/* ---- load ------------------------------------------------------------------ */

static uint8_t *page_in_vm(void *ctx, uint32_t index) {
    airlock_vm *vm = ctx;
    return vm->mem_base + (uint64_t)index * IMAGE_PAGE;
}

typedef struct cpy_head {
    file_header h;
    cpy_saved saved;
    char cwd[VFS_PATH_MAX];
} cpy_head;

/* The header (every size checked against the file's and the memory
 * limit) is read before the interpreter is made and its memory mapped. */
static int load_from(airlock_runtime *rt, session_source *src, cpy_head *head, airlock_vm **out, char *why,
                     size_t whysize) {
    image_spec sp = spec();
    int rc = image_read_head(src, &sp, rt->limits.memory_bytes, &head->h, &head->saved, head->cwd, why, whysize);
    if (rc) return rc;
    if ((rc = blank_vm(rt, head->h.memory_bytes, out, why, whysize))) return rc;
    if ((rc = image_read_pages(src, &head->h, page_in_vm, *out, why, whysize))) return rc;
    restore(cpython_of(*out), &head->saved);
    vfs_chdir((*out)->vfs, head->cwd); /* a directory that no longer exists leaves "/" */
    return AIRLOCK_OK;
}

int cpython_session_load(airlock_runtime *rt, int fd, const void *mem, uint64_t len, airlock_vm **out, char *why,
                         size_t whysize) {
    session_source src;
    if (fd >= 0) session_source_fd(&src, fd, len);
    else session_source_mem(&src, mem, (size_t)len, true);
    cpy_head *head = malloc(sizeof *head);
    int rc = head ? load_from(rt, &src, head, out, why, whysize) : AIRLOCK_NOMEM;
    session_source_free(&src);
    free(head);
    return rc;
}
