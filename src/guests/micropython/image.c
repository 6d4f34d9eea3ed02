/*
 * image.c - the MicroPython guest's session images: clone a vm, write its
 * state as an image, read one back (session.c has the API around them;
 * the built-in snapshot is an image too).
 *
 * A session is the guest's linear memory and the instance's globals in
 * runtime/image.h's container; the host-side pointers (memory, table,
 * imports) are never stored, they are always rebuilt for the loading
 * process. Pages are self-contained (absent pages are zero) or relative
 * to the built-in snapshot (base_id).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/micropython/image.h"
#include "guests/micropython/micropython.h"
#include "sandbox.h"
#include "vfs/vfs.h"

#define PAGE IMAGE_PAGE
#define WASM_PAGE 65536u

extern const vfs_embedded_tree airlock_boot_tree, airlock_lib_tree;

static uint64_t layout;
static pthread_once_t layout_once = PTHREAD_ONCE_INIT;

/* What must match for globals and memory to mean the same thing: the
 * instance's layout, and the driver and library whose objects a session
 * holds (one saved by a build with another driver would run that one). */
static void compute_layout(void) {
    uint64_t parts[] = {sizeof(mp_instance_part), AIRLOCK_GC_AREA_ADDR, AIRLOCK_MP_PENDING_EXCEPTION_ADDR,
                        AIRLOCK_FUEL_METERED, vfs_embedded_digest(&airlock_boot_tree),
                        vfs_embedded_digest(&airlock_lib_tree)};
    layout = image_fnv1a(parts, sizeof parts);
}

static uint64_t layout_id(void) {
    pthread_once(&layout_once, compute_layout);
    return layout;
}

/* What this guest's images are checked against. */
static image_spec spec(void) {
    return (image_spec){guest_micropython.sha256, layout_id(), sizeof(mp_instance_part)};
}

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
    vm->heap_live_bytes = src->heap_live_bytes;
    vfs_chdir(vm->vfs, vfs_getcwd(src->vfs));
    return AIRLOCK_OK;
}

/* ---- save ------------------------------------------------------------------ */

/*
 * The pages an image must hold: those that differ from what loading puts
 * there anyway. Against a snapshot (base != 0) that is every page written
 * since the snapshot was mapped (pagemap knows, without reading them), less
 * zero pages past the snapshot's end; in a self-contained image, every
 * non-zero page, where pagemap spares reading untouched anonymous ones.
 * Where pagemap cannot tell, the page is read. Either way no page that
 * only free heap blocks cover (spare: a bitmap, or NULL): whatever loading
 * puts there is as good, an allocation clears it first.
 */
static void put_pages(image_writer *w, const airlock_vm *vm, const mp_runtime *mp, uint64_t base,
                      const uint8_t *spare) {
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
            if (spare && spare[index / 8] & (1u << (index % 8))) continue;
            bool keep = base ? !untouched && (from_snapshot || !image_page_is_zero(p))
                             : !(untouched && !from_snapshot) && !image_page_is_zero(p);
            if (keep) image_write_page(w, index, p);
        }
    }
}

/* The pages wholly in free heap blocks, as a bitmap to free(); NULL when
 * unknown (no host memory, or heap records the guest garbled: then every
 * page is judged as above). */
static uint8_t *spare_pages(airlock_vm *vm) {
    uint64_t pages = vm->inst.w2c_memory.size / PAGE, in_use;
    uint8_t *spare = calloc(pages / 8 + 1, 1);
    if (spare && !mp_heap_scan(vm, spare, pages, &in_use)) {
        free(spare);
        spare = NULL;
    }
    return spare;
}

/* Header placeholder, payload, then the real header. */
bool session_write(int fd, airlock_vm *vm, const airlock_runtime *rt) {
    const mp_runtime *mp = rt ? mp_of(rt) : NULL;
    mp_instance_part part = {.globals = vm->inst, .heap_live_bytes = vm->heap_live_bytes};
    /* host pointers are meaningless in a file: store zeros */
    part.globals.Z_airlock_instance = NULL;
    part.globals.Z_env_instance = NULL;
    part.globals.Z_wasi_snapshot_preview1_instance = NULL;
    part.globals.w2c_memory = (wasm_rt_memory_t){0};
    part.globals.w2c___indirect_function_table = (wasm_rt_funcref_table_t){0};
    image_writer w;
    if (!image_write_begin(&w, fd, &part, sizeof part, vfs_getcwd(vm->vfs))) return false;
    file_header h = {0};
    /* Only against a snapshot every loading process has (the built-in
     * one), and only when pagemap says which pages were written. */
    h.base_id = mp && mp->snap_id && vm->snap_mapped && mp->pagemap_fd >= 0 ? mp->snap_id : 0;
    uint8_t *spare = spare_pages(vm);
    put_pages(&w, vm, mp, h.base_id, spare);
    free(spare);
    h.memory_bytes = vm->inst.w2c_memory.size;
    h.run_ref = vm->run_ref;
    h.slots = vm->slots;
    image_spec sp = spec();
    return image_write_end(&w, &h, &sp);
}

/*
 * Garbage a session saves grows it for good: MicroPython collects only when
 * an allocation finds no room, so between collections every run allocates
 * in pages no run wrote before, and a session file grew by about 2 KB per
 * `x.append(1)` run until its 4 MB heap area was full (2,000 runs, 11.6 ms
 * of CPU per run instead of 2.5). So a save collects first once the heap
 * pages that hold allocated blocks exceed what the last collection left by
 * half of that or SAVE_GARBAGE_SLACK, whichever is more: a session holds
 * at most that much garbage, and a collection (which costs about what
 * tracing the live part does) comes once per that much garbage made.
 * After a collection the allocator starts again from the heap's first free
 * block, so the next runs write the pages this one freed, and the pages
 * left wholly free are not saved (put_pages).
 */
#define SAVE_GARBAGE_SLACK (64u << 10)

static void collect_if_garbage_grew(airlock_vm *vm) {
    uint64_t in_use;
    if (!mp_heap_scan(vm, NULL, 0, &in_use)) return; /* garbled records: judged page by page */
    uint64_t live = vm->heap_live_bytes, allowance = live / 2 > SAVE_GARBAGE_SLACK ? live / 2 : SAVE_GARBAGE_SLACK;
    /* A collection that could not run, or trapped and was undone, leaves
     * the session as it was: saved with its garbage. */
    if (in_use > live + allowance) mp_heap_collect(vm);
}

bool mp_save(int fd, airlock_vm *vm, airlock_runtime *rt) {
    collect_if_garbage_grew(vm);
    return session_write(fd, vm, rt);
}

/* ---- load ------------------------------------------------------------------ */

int session_read_head(session_source *src, uint64_t mem_limit, session_head *head, char *why, size_t why_size) {
    image_spec sp = spec();
    return image_read_head(src, &sp, mem_limit, &head->h, &head->inst, head->cwd, why, why_size);
}

void session_apply_globals(const session_head *head, airlock_vm *vm) {
    Z_guest_instance_t globals = head->inst.globals;
    /* everything but the host pointers, which stay vm's own */
    globals.Z_airlock_instance = vm->inst.Z_airlock_instance;
    globals.Z_env_instance = vm->inst.Z_env_instance;
    globals.Z_wasi_snapshot_preview1_instance = vm->inst.Z_wasi_snapshot_preview1_instance;
    globals.w2c_memory = vm->inst.w2c_memory;
    globals.w2c___indirect_function_table = vm->inst.w2c___indirect_function_table;
    vm->inst = globals;
    vm->run_ref = head->h.run_ref;
    vm->slots = head->h.slots;
    vm->heap_live_bytes = head->inst.heap_live_bytes;
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
    rc = image_read_pages(src, &head->h, page_in_vm, vm, why, whysize);
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
