/*
 * snapshot.c - booting the interpreter once and freezing it.
 *
 * A runtime boots the guest (instantiate, Emscripten start-up, MicroPython
 * init, our boot.py, the guest library's _airlock_site, the host modules of
 * plugins) and freezes the result as a snapshot: the linear memory in a
 * sealed memfd and the instance struct. sandbox.c makes every sandbox a
 * copy-on-write view of it. A default runtime skips the boot and starts from
 * the snapshot built into the library at build time.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guests/micropython/image.h"
#include "guests/micropython/micropython.h"
#include "guests/micropython/slot.h"
#include "plugins/host.h"
#include "runtime/meter.h"
#include "runtime/vm.h"
#include "sandbox.h"
#include "vfs/vfs.h"

/* Generated at build time from boot.py and guests/micropython/lib/. */
extern const vfs_embedded_tree airlock_boot_tree;
extern const vfs_embedded_tree airlock_lib_tree;

/*
 * Stacks sized for CPython's default recursion limit (1000 Python frames,
 * and some 300 through functools.lru_cache's Python wrapper). The package's
 * loader passes a pystack of 2048 words and keeps Emscripten's 64 KiB shadow
 * stack at the bottom of memory, of which MicroPython allows itself 32 KiB:
 * about 150 frames. Measured per Python call: about 200 bytes of shadow
 * stack for a plain function, 2.7x that through lru_cache; 20-40 pystack
 * words. So: some 2,200 plain frames, 800 through lru_cache.
 * Both stacks are guest allocations, so they count in the memory limit, and
 * untouched pages of them cost nothing (they stay holes in the snapshot).
 */
#define PYSTACK_WORDS (64u * 1024)           /* 256 KiB */
#define SHADOW_STACK_BYTES (512u * 1024)
/* Room below MicroPython's C-stack limit for the C code that runs between
 * two of its checks (as the package's own 32 KiB above its limit). Beyond the
 * limit the guest raises RuntimeError "maximum recursion depth exceeded". */
#define SHADOW_STACK_MARGIN (64u * 1024)
#define INITIAL_HEAP (4u << 20)   /* the GC heap grows in splits; room to spare
                                     * keeps collections rare when the compat
                                     * library fills part of it (see cleanup) */
#define BOOT_MEMORY_LIMIT (1ull << 30)

static int snapshot_boot(airlock_runtime *rt);

/* ---- guest calls --------------------------------------------------------- */

/* Allocate in guest memory; 0 if the guest heap cannot satisfy it. */
static uint32_t guest_malloc(airlock_vm *vm, uint32_t n) { return Z_guestZ_malloc(&vm->inst, n); }

typedef struct boot_args {
    airlock_runtime *rt;
    int error;          /* AIRLOCK_* */
    const char *what;   /* which step failed */
} boot_args;

/* Run a constant piece of source in __main__ during boot; false on error
 * (the reason on the boot vm's stderr). */
static bool boot_exec(airlock_vm *vm, uint32_t slot_addr, const char *src, size_t len) {
    char err[300];
    if (mp_run_source(vm, slot_addr, src, len, err, sizeof err)) return true;
    outbuf_append(&vm->out[1], err, strlen(err));
    return false;
}

/* Look up attribute `name` of guest proxy object `ref`. */
static bool boot_lookup(airlock_vm *vm, uint32_t ref, const char *name, uint32_t slot_addr, slot *out) {
    uint32_t buf = mp_put_bytes(vm, name, strlen(name));
    if (!buf) return false;
    Z_guestZ_proxy_c_to_js_lookup_attr(&vm->inst, ref, buf, slot_addr);
    Z_guestZ_free(&vm->inst, buf);
    return slot_read(vm, slot_addr, out);
}

/* Replace Emscripten's 64 KiB stack (below the static data) by a guest
 * allocation of SHADOW_STACK_BYTES: stack pointer, base and end move there. */
static bool move_shadow_stack(airlock_vm *vm) {
    uint32_t low = guest_malloc(vm, SHADOW_STACK_BYTES);
    if (!low || !vm_ptr(vm, low, SHADOW_STACK_BYTES)) return false;
    uint32_t top = (low + SHADOW_STACK_BYTES) & ~15u;
    vm->inst.w2c_g0 = top; /* stack pointer */
    vm->inst.w2c_g3 = top; /* emscripten_stack_get_base */
    vm->inst.w2c_g2 = (low + 15) & ~15u; /* emscripten_stack_get_end */
    return true;
}

/* mp_js_init set MicroPython's C-stack limit (MP_STATE_THREAD(stack_limit),
 * the word after stack_top at the start of mp_state_ctx) to 32 KiB; allow
 * the moved stack minus the margin. False if the word is not what the
 * pinned guest's mp_js_init stores there. */
#define GUEST_C_STACK_LIMIT 32768u
static bool set_c_stack_limit(airlock_vm *vm) {
    uint8_t *limit = vm_ptr(vm, AIRLOCK_MP_STATE_CTX_ADDR + 4, 4);
    uint32_t old, bytes = SHADOW_STACK_BYTES - SHADOW_STACK_MARGIN;
    if (!limit) return false;
    memcpy(&old, limit, 4);
    if (old != GUEST_C_STACK_LIMIT) return false;
    memcpy(limit, &bytes, 4);
    return true;
}

static void boot_guest(airlock_vm *vm, void *arg) {
    boot_args *ba = arg;
    airlock_runtime *rt = ba->rt;
    mp_runtime *mp = mp_of(rt);
    ba->error = AIRLOCK_ERROR;
    ba->what = "instantiate";
    Z_guest_instantiate(&vm->inst, (struct Z_airlock_instance_t *)vm, (struct Z_env_instance_t *)vm,
                        (struct Z_wasi_snapshot_preview1_instance_t *)vm);
    Z_guestZ_emscripten_stack_init(&vm->inst);
    Z_guestZ___wasm_call_ctors(&vm->inst);
    ba->what = "the shadow stack";
    if (!move_shadow_stack(vm)) return;
    ba->what = "MicroPython init";
    Z_guestZ_mp_js_init(&vm->inst, PYSTACK_WORDS, INITIAL_HEAP);
    ba->what = "the C-stack limit";
    if (!set_c_stack_limit(vm)) return;
    Z_guestZ_proxy_c_init(&vm->inst);

    /* Two 12-byte slots kept for the life of the snapshot: call arguments
     * and results. */
    mp->slots = vm->slots = guest_malloc(vm, 2 * SLOT_SIZE);
    if (!mp->slots) return;
    uint32_t out = mp->slots + SLOT_SIZE;

    ba->what = "boot.py";
    const vfs_embedded_file *boot = &airlock_boot_tree.files[0];
    if (!boot_exec(vm, out, (const char *)boot->data, boot->size)) return;
    ba->what = "the guest library (_airlock_site)";
    static const char site[] =
        "try:\n import _airlock_site\nexcept ImportError as e:\n"
        " if '_airlock_site' not in str(e): raise\n";
    vm->compat_boot = true; /* os.urandom and json take their callables now (js.c) */
    bool site_ok = rt->no_compat || !airlock_lib_tree.count || boot_exec(vm, out, site, sizeof site - 1);
    vm->compat_boot = false;
    if (!site_ok) return;
    /* Modules agent code reaches for, compiled once here instead of in every
     * sandbox that imports them. Not random: its seed must differ per
     * sandbox. */
    ba->what = "preloading modules";
    static const char preload[] =
        "for _m in ('json', 're', 'collections', 'functools', 'itertools', 'typing', 'dataclasses',\n"
        "           'enum', 'datetime', 'math', 'string', 'textwrap', 'csv', 'statistics', 'heapq',\n"
        "           'bisect', 'operator', 'copy', 'io', 'os', 'time', 'hashlib', 'base64', 'struct'):\n"
        "    try:\n        __import__(_m)\n    except ImportError:\n        pass\n"
        "del _m\n";
    if (!rt->no_compat && !boot_exec(vm, out, preload, sizeof preload - 1)) return;

    if (!host_boot(rt, vm, &ba->what)) return; /* host modules: plugins/boot.c */
    ba->what = "boot.py lookup";
    static const char main_name[] = "__main__";
    uint32_t name = mp_put_bytes(vm, main_name, sizeof main_name - 1);
    if (!name) return;
    Z_guestZ_mp_js_do_import(&vm->inst, name, out);
    Z_guestZ_free(&vm->inst, name);
    slot s;
    if (!slot_read(vm, out, &s) || s.kind != SLOT_MP_OBJECT) return;
    slot fn;
    if (!boot_lookup(vm, s.a, "_airlock_run", out, &fn) || fn.kind != SLOT_MP_CALLABLE) return;
    mp->run_ref = fn.a;
    /* Collect only when the heap is full, not every few allocations: with
     * real collections (runtime/gc.c) the guest's default threshold makes a
     * program with a large live heap spend most of its time collecting, and
     * a full heap of garbage is collected before the heap grows anyway. */
    static const char cleanup[] = "del _airlock_run, _airlock_hook\n"
                                  "import gc\ngc.threshold(-1)\ngc.collect()\ndel gc\n";
    if (!boot_exec(vm, out, cleanup, sizeof cleanup - 1)) return;
    ba->error = AIRLOCK_OK;
}

/* Freeze vm's memory into a sealed memfd every sandbox maps privately. */
/* A sealed memfd of `bytes`, filled by fill(); -1 on failure. */
static int snapshot_memfd(uint64_t bytes, bool (*fill)(int fd, const void *src), const void *src) {
    int fd = memfd_create("airlock-snapshot", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) return -1;
    if (ftruncate(fd, (off_t)bytes) != 0 || !fill(fd, src)) {
        close(fd);
        return -1;
    }
    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    return fd;
}

/*
 * Write only the pages of vm's memory that hold data: the rest stays a hole
 * and costs nothing, in the snapshot or in any sandbox. Pages the boot never
 * touched are not even resident; mincore() finds them without faulting
 * them in, so only resident pages are compared with zero.
 */
static bool fill_from_vm(int fd, const void *src) {
    const airlock_vm *vm = src;
    const size_t page = 4096;
    static const uint8_t zero[4096];
    uint64_t bytes = vm->inst.w2c_memory.size;
    unsigned char resident[256];
    for (uint64_t chunk = 0; chunk < bytes; chunk += sizeof resident * page) {
        uint64_t len = bytes - chunk < sizeof resident * page ? bytes - chunk : sizeof resident * page;
        bool known = mincore(vm->mem_base + chunk, len, resident) == 0;
        for (uint64_t off = 0; off < len; off += page) {
            const uint8_t *p = vm->mem_base + chunk + off;
            if ((known && !(resident[off / page] & 1)) || memcmp(p, zero, page) == 0) continue;
            if (pwrite(fd, p, page, (off_t)(chunk + off)) != (ssize_t)page) return false;
        }
    }
    return true;
}

/* Pages of a prebuilt image gathered per write: its pages come in runs of
 * consecutive ones (the heap, the static data), and one pwrite per page
 * was a system call per page at every process start. */
#define FILL_PAGES 16

/* The pages of a prebuilt image (session.h), whose head was read. */
typedef struct image_fill {
    session_source *src;
    const session_head *head;
    uint8_t pages[FILL_PAGES * 4096];
    int fd;
    uint32_t first; /* index of the page in pages[0] */
    uint32_t count; /* pages gathered */
} image_fill;

static bool flush_pages(image_fill *f) {
    size_t n = (size_t)f->count * 4096;
    bool ok = !n || pwrite(f->fd, f->pages, n, (off_t)f->first * 4096) == (ssize_t)n;
    f->count = 0;
    return ok;
}

/* The reader puts each page after the ones gathered if it follows them;
 * otherwise (or when full) those are written out first. */
static uint8_t *image_page(void *ctx, uint32_t index) {
    image_fill *f = ctx;
    if (f->count && (f->count == FILL_PAGES || index != f->first + f->count) && !flush_pages(f)) return NULL;
    if (!f->count) f->first = index;
    return f->pages + (size_t)f->count++ * 4096;
}

static bool fill_from_image(int fd, const void *src) {
    image_fill *f = (image_fill *)src;
    char why[160];
    f->fd = fd;
    f->count = 0;
    return image_read_pages(f->src, &f->head->h, image_page, f, why, sizeof why) == AIRLOCK_OK && flush_pages(f);
}

/* Keep vm's instance and function table as the runtime's template. */
static int keep_instance(airlock_runtime *rt, const airlock_vm *vm) {
    mp_runtime *mp = mp_of(rt);
    mp->snap_inst = vm->inst;
    mp->snap_heap_live = vm->heap_live_bytes;
    mp->snap_table_size = vm->inst.w2c___indirect_function_table.size;
    mp->snap_table = malloc(mp->snap_table_size * sizeof *mp->snap_table);
    if (!mp->snap_table) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    memcpy(mp->snap_table, vm->inst.w2c___indirect_function_table.data, mp->snap_table_size * sizeof *mp->snap_table);
    return AIRLOCK_OK;
}

static int freeze_snapshot(airlock_runtime *rt, airlock_vm *vm) {
    uint64_t bytes = vm->inst.w2c_memory.size;
    int fd = snapshot_memfd(bytes, fill_from_vm, vm);
    if (fd < 0) return runtime_fail(rt, AIRLOCK_NOMEM, "cannot create the snapshot (%llu bytes)", (unsigned long long)bytes);
    mp_of(rt)->snap_fd = fd;
    mp_of(rt)->snap_bytes = rt->boot_memory = bytes;
    return keep_instance(rt, vm);
}

/* A vm for booting: no grants, unmetered, generous memory. */
static airlock_vm *boot_vm(airlock_runtime *rt) {
    airlock_vm *vm = mp_vm_alloc(rt);
    if (!vm) return NULL;
    vm->mem_limit = BOOT_MEMORY_LIMIT;
    vm->limits = sandbox_limits(NULL);
    vm->vfs = mp_new_vfs(rt, false);
    /* boot output is kept only to explain a failed start-up */
    outbuf_reset(&vm->out[0], 4096);
    outbuf_reset(&vm->out[1], 4096);
    if (!vm->vfs) {
        vm_destroy(vm);
        return NULL;
    }
    vm->limits.fuel = 0; /* boot is trusted code: unmetered */
    meter_begin(vm);
    return vm;
}

static void instantiate_only(airlock_vm *vm, void *arg) {
    (void)arg;
    Z_guest_instantiate(&vm->inst, (struct Z_airlock_instance_t *)vm, (struct Z_env_instance_t *)vm,
                        (struct Z_wasi_snapshot_preview1_instance_t *)vm);
}

/*
 * The snapshot built into libairlock at build time (guests/micropython/mksnapshot.c): the
 * state a default runtime's boot produces, so a process does not pay for
 * booting the interpreter and importing the compatibility library. It is
 * our own read-only data, so its checksum is not recomputed at every start.
 */
extern const unsigned char airlock_prebuilt_image[];
extern const size_t airlock_prebuilt_size;

static bool prebuilt_usable(const airlock_runtime *rt) {
    return airlock_prebuilt_size > 0 && !rt->no_compat && !rt->host && !getenv("AIRLOCK_NO_PREBUILT");
}

static int snapshot_from_prebuilt(airlock_runtime *rt) {
    session_source src;
    session_head *head = malloc(sizeof *head);
    image_fill *fill = malloc(sizeof *fill);
    char why[160];
    session_source_mem(&src, airlock_prebuilt_image, airlock_prebuilt_size, false);
    int rc = head && fill ? AIRLOCK_OK : runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    if (!rc && session_read_head(&src, 4ull << 30, head, why, sizeof why) != AIRLOCK_OK)
        rc = runtime_fail(rt, AIRLOCK_CORRUPT, "the built-in snapshot is unusable: %s", why);
    airlock_vm *vm = rc ? NULL : boot_vm(rt);
    if (!rc && !vm) rc = runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    int trap = rc ? 0 : vm_call(vm, instantiate_only, NULL);
    if (trap) rc = runtime_fail(rt, AIRLOCK_TRAP, "cannot instantiate the guest: %s", vm_trap_message(trap));
    int fd = -1;
    if (!rc) {
        *fill = (image_fill){.src = &src, .head = head};
        fd = snapshot_memfd(head->h.memory_bytes, fill_from_image, fill);
        if (fd < 0) rc = runtime_fail(rt, AIRLOCK_NOMEM, "cannot create the snapshot");
    }
    if (!rc) {
        mp_runtime *mp = mp_of(rt);
        session_apply_globals(head, vm);
        mp->snap_fd = fd;
        mp->snap_bytes = rt->boot_memory = head->h.memory_bytes;
        mp->run_ref = head->h.run_ref;
        mp->slots = head->h.slots;
        /* the same in every process with this library: session files can
         * store only the pages that differ from it */
        mp->snap_id = head->h.header_checksum ? head->h.header_checksum : 1;
        rc = keep_instance(rt, vm);
        mp->snap_inst.w2c_memory.size = head->h.memory_bytes;
        mp->snap_inst.w2c_memory.pages = (uint32_t)(head->h.memory_bytes / 65536);
    }
    vm_destroy(vm);
    free(fill);
    free(head);
    return rc;
}

/* The runtime's state of this guest: nothing booted yet. */
static mp_runtime *new_state(airlock_runtime *rt) {
    mp_runtime *mp = calloc(1, sizeof *mp);
    if (!mp) return NULL;
    mp->snap_fd = -1;
    /* Saving a session asks pagemap which pages were written (image.c);
     * opened now, as a process may shut itself off from /proc after its
     * first sandbox. Without it, saving compares every page. */
    mp->pagemap_fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
    rt->guest_state = mp;
    return mp;
}

/* Boot the interpreter once and freeze it (caller holds rt->lock). A
 * failure leaves nothing behind: the next sandbox tries again. */
int mp_snapshot_build(airlock_runtime *rt) {
    if (!new_state(rt)) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    int rc = prebuilt_usable(rt) ? snapshot_from_prebuilt(rt) : snapshot_boot(rt);
    if (rc) guest_micropython.runtime_free(rt);
    return rc;
}

static int snapshot_boot(airlock_runtime *rt) {
    airlock_vm *vm = boot_vm(rt);
    if (!vm) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    boot_args ba = {rt, AIRLOCK_ERROR, "start"};
    int trap = vm_call(vm, boot_guest, &ba);
    int rc = AIRLOCK_OK;
    if (trap)
        rc = runtime_fail(rt, AIRLOCK_TRAP, "the interpreter trapped during start-up (%s): %s", ba.what,
                     vm_trap_message(trap));
    else if (ba.error)
        rc = runtime_fail(rt, ba.error, "the interpreter failed during start-up (%s): %.300s%.300s", ba.what,
                     outbuf_str(&vm->out[0]), outbuf_str(&vm->out[1]));
    if (rc == AIRLOCK_OK) rc = freeze_snapshot(rt, vm);
    vm_destroy(vm);
    return rc;
}

