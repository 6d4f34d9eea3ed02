/*
 * sandbox.c - lifecycle of runtimes and sandboxes: the public API.
 *
 * A runtime boots the interpreter once (instantiate, Emscripten start-up,
 * MicroPython init, our boot.py, the guest library's _airlock_site) and
 * freezes the result as a snapshot: the linear memory in a sealed memfd and
 * the instance struct. Every sandbox is a copy-on-write view of that
 * snapshot, so creating one costs a mapping, not a boot.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "abi/abi.h"
#include "grants.h"
#include "plugins/host.h"
#include "runtime/meter.h"
#include "runtime/undo.h"
#include "runtime/vm.h"
#include "sandbox.h"
#include "session.h"
#include "vfs/vfs.h"

/* Generated at build time from src/boot.py and guest/lib/. */
extern const vfs_embedded_tree airlock_boot_tree;
extern const vfs_embedded_tree airlock_lib_tree;

#define PYSTACK_WORDS 2048        /* what the package's own loader passes */
#define INITIAL_HEAP (4u << 20)   /* the GC heap grows in splits; room to spare
                                     * keeps collections rare when the compat
                                     * library fills part of it (see cleanup) */
#define BOOT_MEMORY_LIMIT (1ull << 30)

/* Guest value kinds in a 12-byte {kind, a, b} slot (proxy_c.c of the port). */
enum { KIND_EXCEPTION = -1, KIND_CALLABLE = 6, KIND_OBJECT = 8 };

static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static void process_init(void) {
    Z_guest_init_module();
    abi_invoke_init();
    vm_signals_install();
}

/* ---- error messages ---------------------------------------------------- */

static int vfail(char *buf, size_t size, int code, const char *fmt, va_list ap) {
    vsnprintf(buf, size, fmt, ap);
    return code;
}

static int fail(char *buf, size_t size, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(buf, size, code, fmt, ap);
    va_end(ap);
    return code;
}

int runtime_fail(airlock_runtime *rt, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(rt->errmsg, sizeof rt->errmsg, code, fmt, ap);
    va_end(ap);
    return code;
}

int sandbox_fail(airlock_sandbox *sb, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(sb->errmsg, sizeof sb->errmsg, code, fmt, ap);
    va_end(ap);
    return code;
}

#define RT_FAIL(rt, code, ...) fail((rt)->errmsg, sizeof (rt)->errmsg, code, __VA_ARGS__)
#define SB_FAIL(sb, code, ...) sandbox_fail(sb, code, __VA_ARGS__)

/* ---- limits ------------------------------------------------------------ */

static airlock_limits effective_limits(const airlock_limits *in) {
    airlock_limits l = in ? *in : (airlock_limits){0};
    if (!l.memory_bytes) l.memory_bytes = AIRLOCK_DEFAULT_MEMORY;
    if (!l.max_output_bytes) l.max_output_bytes = AIRLOCK_DEFAULT_MAX_OUTPUT;
    return l;
}

static int check_limits(const airlock_limits *l, char *err, size_t errsize) {
    if (l->timeout_seconds < 0 || l->timeout_seconds != l->timeout_seconds)
        return fail(err, errsize, AIRLOCK_MISUSE, "timeout must be a non-negative number of seconds");
    if (l->memory_bytes > (4ull << 30))
        return fail(err, errsize, AIRLOCK_MISUSE, "memory limit above 4 GiB, the most a 32-bit guest can address");
    return AIRLOCK_OK;
}

/* ---- guest calls --------------------------------------------------------- */

/* Allocate in guest memory; 0 if the guest heap cannot satisfy it. */
static uint32_t guest_malloc(airlock_vm *vm, uint32_t n) { return Z_guestZ_malloc(&vm->inst, n); }

typedef struct slot {
    int32_t kind;
    uint32_t a, b;
} slot;

static bool read_slot(airlock_vm *vm, uint32_t addr, slot *out) {
    const uint8_t *p = vm_ptr(vm, addr, 12);
    if (!p) return false;
    memcpy(out, p, 12);
    return true;
}

typedef struct boot_args {
    airlock_runtime *rt;
    int error;          /* AIRLOCK_* */
    const char *what;   /* which step failed */
} boot_args;

/* Run a constant piece of source in __main__ during boot; false on error. */
static bool boot_exec(airlock_vm *vm, uint32_t slot_addr, const char *src, size_t len) {
    uint32_t buf = guest_malloc(vm, (uint32_t)len + 1);
    uint8_t *p = buf ? vm_ptr(vm, buf, len + 1) : NULL;
    if (!p) return false;
    memcpy(p, src, len);
    p[len] = 0;
    Z_guestZ_mp_js_do_exec(&vm->inst, buf, (uint32_t)len, slot_addr);
    Z_guestZ_free(&vm->inst, buf);
    slot s;
    return read_slot(vm, slot_addr, &s) && s.kind != KIND_EXCEPTION;
}

/* Look up attribute `name` of guest proxy object `ref`. */
static bool boot_lookup(airlock_vm *vm, uint32_t ref, const char *name, uint32_t slot_addr, slot *out) {
    size_t len = strlen(name);
    uint32_t buf = guest_malloc(vm, (uint32_t)len + 1);
    uint8_t *p = buf ? vm_ptr(vm, buf, len + 1) : NULL;
    if (!p) return false;
    memcpy(p, name, len + 1);
    Z_guestZ_proxy_c_to_js_lookup_attr(&vm->inst, ref, buf, slot_addr);
    Z_guestZ_free(&vm->inst, buf);
    return read_slot(vm, slot_addr, out);
}

static void boot_guest(airlock_vm *vm, void *arg) {
    boot_args *ba = arg;
    airlock_runtime *rt = ba->rt;
    ba->error = AIRLOCK_ERROR;
    ba->what = "instantiate";
    Z_guest_instantiate(&vm->inst, (struct Z_airlock_instance_t *)vm, (struct Z_env_instance_t *)vm,
                        (struct Z_wasi_snapshot_preview1_instance_t *)vm);
    Z_guestZ_emscripten_stack_init(&vm->inst);
    Z_guestZ___wasm_call_ctors(&vm->inst);
    ba->what = "MicroPython init";
    Z_guestZ_mp_js_init(&vm->inst, PYSTACK_WORDS, INITIAL_HEAP);
    Z_guestZ_proxy_c_init(&vm->inst);

    /* Two 12-byte slots kept for the life of the snapshot: call arguments
     * and results. */
    rt->slots = guest_malloc(vm, 24);
    if (!rt->slots) return;
    uint32_t out = rt->slots + 12;

    ba->what = "boot.py";
    const char *compat = rt->no_compat ? "_airlock_compat = False\n" : "_airlock_compat = True\n";
    if (!boot_exec(vm, out, compat, strlen(compat))) return;
    const vfs_embedded_file *boot = &airlock_boot_tree.files[0];
    if (!boot_exec(vm, out, (const char *)boot->data, boot->size)) return;
    ba->what = "the guest library (_airlock_site)";
    static const char site[] =
        "try:\n import _airlock_site\nexcept ImportError as e:\n"
        " if '_airlock_site' not in str(e): raise\n";
    if (!rt->no_compat && airlock_lib_tree.count && !boot_exec(vm, out, site, sizeof site - 1)) return;
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

    if (!host_boot(rt, vm, out, &ba->what)) return; /* host modules: plugins/boot.c */
    ba->what = "boot.py lookup";
    static const char main_name[] = "__main__";
    uint32_t name = guest_malloc(vm, sizeof main_name);
    uint8_t *p = name ? vm_ptr(vm, name, sizeof main_name) : NULL;
    if (!p) return;
    memcpy(p, main_name, sizeof main_name);
    Z_guestZ_mp_js_do_import(&vm->inst, name, out);
    Z_guestZ_free(&vm->inst, name);
    slot s;
    if (!read_slot(vm, out, &s) || s.kind != KIND_OBJECT) return;
    slot fn;
    if (!boot_lookup(vm, s.a, "_airlock_run", out, &fn) || fn.kind != KIND_CALLABLE) return;
    rt->run_ref = fn.a;
    /* Collect only when the heap is full, not every few allocations: with
     * real collections (runtime/gc.c) the guest's default threshold makes a
     * program with a large live heap spend most of its time collecting, and
     * a full heap of garbage is collected before the heap grows anyway. */
    static const char cleanup[] = "del _airlock_run, _airlock_rw, _airlock_compat\n"
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

/* The pages of a prebuilt image (session.h), already validated. */
static bool fill_from_image(int fd, const void *src) {
    const session_image *img = src;
    const uint8_t *p = img->pages;
    for (uint32_t i = 0; i < img->h.page_count; i++, p += 4 + 4096) {
        uint32_t index;
        memcpy(&index, p, 4);
        if (pwrite(fd, p + 4, 4096, (off_t)index * 4096) != 4096) return false;
    }
    return true;
}

/* Keep vm's instance and function table as the runtime's template. */
static int keep_instance(airlock_runtime *rt, const airlock_vm *vm) {
    rt->snap_inst = vm->inst;
    rt->snap_table_size = vm->inst.w2c___indirect_function_table.size;
    rt->snap_table = malloc(rt->snap_table_size * sizeof *rt->snap_table);
    if (!rt->snap_table) return RT_FAIL(rt, AIRLOCK_NOMEM, "out of memory");
    memcpy(rt->snap_table, vm->inst.w2c___indirect_function_table.data, rt->snap_table_size * sizeof *rt->snap_table);
    return AIRLOCK_OK;
}

static int freeze_snapshot(airlock_runtime *rt, airlock_vm *vm) {
    uint64_t bytes = vm->inst.w2c_memory.size;
    int fd = snapshot_memfd(bytes, fill_from_vm, vm);
    if (fd < 0) return RT_FAIL(rt, AIRLOCK_NOMEM, "cannot create the snapshot (%llu bytes)", (unsigned long long)bytes);
    rt->snap_fd = fd;
    rt->snap_bytes = bytes;
    return keep_instance(rt, vm);
}

/* The guest's filesystem: the grants (none while booting: the boot is
 * trusted code and must not depend on them), and /lib with the
 * compatibility library (an empty /lib for the bare guest). */
static vfs *new_guest_vfs(const airlock_runtime *rt, bool with_grants) {
    static const vfs_embedded_tree empty_lib = {NULL, 0};
    const vfs_embedded_tree *lib = rt->no_compat ? &empty_lib : &airlock_lib_tree;
    vfs *v = grants_new_vfs(with_grants ? rt : NULL);
    if (v && vfs_mount(v, "/lib", &vfs_embedded_ops, (void *)lib) != 0) {
        vfs_free(v);
        v = NULL;
    }
    if (v && with_grants && rt->initial_cwd) vfs_chdir(v, rt->initial_cwd); /* "/" if not visible */
    return v;
}

void vm_destroy(airlock_vm *vm) {
    if (!vm) return;
    host_vm_free(vm);
    undo_free(vm);
    vm_memory_unmap(vm);
    free(vm->inst.w2c___indirect_function_table.data);
    vfs_free(vm->vfs);
    outbuf_free(&vm->out[0]);
    outbuf_free(&vm->out[1]);
    free(vm);
}

/* A vm for booting: no grants, unmetered, generous memory. */
static airlock_vm *boot_vm(airlock_runtime *rt) {
    airlock_vm *vm = calloc(1, sizeof *vm);
    if (!vm) return NULL;
    vm->mem_limit = BOOT_MEMORY_LIMIT;
    vm->limits = effective_limits(NULL);
    vm->vfs = new_guest_vfs(rt, false);
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
 * The snapshot built into libairlock at build time (guest/mksnapshot.c): the
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
    session_image img;
    char why[160];
    if (session_parse_trusted(airlock_prebuilt_image, airlock_prebuilt_size, &img, why, sizeof why) != AIRLOCK_OK)
        return RT_FAIL(rt, AIRLOCK_CORRUPT, "the built-in snapshot is unusable: %s", why);
    airlock_vm *vm = boot_vm(rt);
    if (!vm) return RT_FAIL(rt, AIRLOCK_NOMEM, "out of memory");
    int trap = vm_call(vm, instantiate_only, NULL);
    int rc = trap ? RT_FAIL(rt, AIRLOCK_TRAP, "cannot instantiate the guest: %s", vm_trap_message(trap)) : AIRLOCK_OK;
    int fd = rc ? -1 : snapshot_memfd(img.h.memory_bytes, fill_from_image, &img);
    if (!rc && fd < 0) rc = RT_FAIL(rt, AIRLOCK_NOMEM, "cannot create the snapshot");
    if (!rc) {
        session_apply_globals(&img, vm);
        rt->snap_fd = fd;
        rt->snap_bytes = img.h.memory_bytes;
        rt->run_ref = img.h.run_ref;
        rt->slots = img.h.slots;
        rc = keep_instance(rt, vm);
        rt->snap_inst.w2c_memory.size = img.h.memory_bytes;
        rt->snap_inst.w2c_memory.pages = (uint32_t)(img.h.memory_bytes / 65536);
    }
    vm_destroy(vm);
    return rc;
}

/* Boot the interpreter once and freeze it (caller holds rt->lock). */
static int build_snapshot(airlock_runtime *rt) {
    if (prebuilt_usable(rt)) return snapshot_from_prebuilt(rt);
    airlock_vm *vm = boot_vm(rt);
    if (!vm) return RT_FAIL(rt, AIRLOCK_NOMEM, "out of memory");
    boot_args ba = {rt, AIRLOCK_ERROR, "start"};
    int trap = vm_call(vm, boot_guest, &ba);
    int rc = AIRLOCK_OK;
    if (trap)
        rc = RT_FAIL(rt, AIRLOCK_TRAP, "the interpreter trapped during start-up (%s): %s", ba.what,
                     vm_trap_message(trap));
    else if (ba.error)
        rc = RT_FAIL(rt, ba.error, "the interpreter failed during start-up (%s): %.300s%.300s", ba.what,
                     outbuf_str(&vm->out[0]), outbuf_str(&vm->out[1]));
    if (rc == AIRLOCK_OK) rc = freeze_snapshot(rt, vm);
    vm_destroy(vm);
    return rc;
}

/* ---- runtime API --------------------------------------------------------- */

int airlock_runtime_new(airlock_runtime **out) {
    if (!out) return AIRLOCK_MISUSE;
    *out = NULL;
    pthread_once(&process_once, process_init);
    airlock_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) return AIRLOCK_NOMEM;
    rt->limits = effective_limits(NULL);
    rt->snap_fd = -1;
    pthread_mutex_init(&rt->lock, NULL);
    *out = rt;
    return AIRLOCK_OK;
}

void airlock_runtime_free(airlock_runtime *rt) {
    if (!rt) return;
    if (rt->snap_fd >= 0) close(rt->snap_fd);
    free(rt->initial_cwd);
    grants_free(rt);
    host_registry_free(rt);
    free(rt->snap_table);
    pthread_mutex_destroy(&rt->lock);
    free(rt);
}

const char *airlock_runtime_errmsg(const airlock_runtime *rt) {
    return rt ? rt->errmsg : "no runtime";
}

int airlock_runtime_set_limits(airlock_runtime *rt, const airlock_limits *lim) {
    if (!rt) return AIRLOCK_MISUSE;
    airlock_limits l = effective_limits(lim);
    int rc = check_limits(&l, rt->errmsg, sizeof rt->errmsg);
    if (rc == AIRLOCK_OK) rt->limits = l;
    return rc;
}

int airlock_runtime_chdir(airlock_runtime *rt, const char *guest_path) {
    if (!rt || !guest_path || guest_path[0] != '/')
        return rt ? RT_FAIL(rt, AIRLOCK_MISUSE, "the working directory must be an absolute guest path") : AIRLOCK_MISUSE;
    char *copy = strdup(guest_path);
    if (!copy) return RT_FAIL(rt, AIRLOCK_NOMEM, "out of memory");
    free(rt->initial_cwd);
    rt->initial_cwd = copy;
    return AIRLOCK_OK;
}

int airlock_runtime_set_compat(airlock_runtime *rt, int enabled) {
    if (!rt) return AIRLOCK_MISUSE;
    if (rt->snap_fd >= 0)
        return RT_FAIL(rt, AIRLOCK_MISUSE, "the compatibility layer must be chosen before the first sandbox");
    rt->no_compat = !enabled;
    return AIRLOCK_OK;
}

const char *airlock_guest_version(void) { return AIRLOCK_GUEST_VERSION; }
const char *airlock_guest_sha256(void) { return AIRLOCK_GUEST_SHA256; }

/* ---- sandbox API --------------------------------------------------------- */

/*
 * Give vm the runtime's instance (globals), its own copy of the function
 * table and a fresh vfs; its memory is the caller's business. The
 * instance's host pointers always come from here, never from a snapshot or
 * a session file.
 */
int sandbox_attach_vm(airlock_runtime *rt, airlock_vm *vm, const Z_guest_instance_t *globals) {
    vm->inst = *globals;
    vm->inst.Z_airlock_instance = (struct Z_airlock_instance_t *)vm;
    vm->inst.Z_env_instance = (struct Z_env_instance_t *)vm;
    vm->inst.Z_wasi_snapshot_preview1_instance = (struct Z_wasi_snapshot_preview1_instance_t *)vm;
    vm->inst.w2c_memory = (wasm_rt_memory_t){0};
    vm->inst.w2c_memory.max_pages = rt->snap_inst.w2c_memory.max_pages;
    wasm_rt_funcref_t *table = malloc(rt->snap_table_size * sizeof *table);
    if (!table) return AIRLOCK_NOMEM;
    for (uint32_t i = 0; i < rt->snap_table_size; i++) {
        table[i] = rt->snap_table[i];
        if (table[i].func) table[i].module_instance = &vm->inst;
    }
    vm->inst.w2c___indirect_function_table = rt->snap_inst.w2c___indirect_function_table;
    vm->inst.w2c___indirect_function_table.data = table;
    vm->vfs = new_guest_vfs(rt, true);
    if (!vm->vfs) return AIRLOCK_NOMEM;
    vm->ticks_origin_ns = abi_monotonic_ns();
    vm->run_ref = rt->run_ref;
    vm->slots = rt->slots;
    host_attach_vm(rt, vm);
    return AIRLOCK_OK;
}

/* Make vm a fresh copy of the runtime's snapshot. */
static int clone_snapshot(airlock_runtime *rt, airlock_vm *vm) {
    int rc = sandbox_attach_vm(rt, vm, &rt->snap_inst);
    if (rc) return rc;
    if (vm_memory_map_snapshot(vm, rt->snap_fd, rt->snap_bytes) != 0) return AIRLOCK_NOMEM;
    vm->pristine = true;
    return AIRLOCK_OK;
}

static int apply_limits(airlock_sandbox *sb, const airlock_limits *lim) {
    airlock_limits l = effective_limits(lim);
    int rc = check_limits(&l, sb->errmsg, sizeof sb->errmsg);
    if (rc) return rc;
    if (l.memory_bytes < sb->rt->snap_bytes)
        return SB_FAIL(sb, AIRLOCK_MISUSE, "memory limit %llu bytes is below the %llu bytes the interpreter needs",
                       (unsigned long long)l.memory_bytes, (unsigned long long)sb->rt->snap_bytes);
    sb->vm->limits = l;
    sb->vm->mem_limit = l.memory_bytes;
    return AIRLOCK_OK;
}

static int ensure_snapshot(airlock_runtime *rt) {
    pthread_mutex_lock(&rt->lock);
    int rc = rt->snap_fd >= 0 ? AIRLOCK_OK : build_snapshot(rt);
    pthread_mutex_unlock(&rt->lock);
    return rc;
}

/*
 * A sandbox around a new vm that fill() prepares (from the snapshot, a
 * session, or another sandbox), with the runtime's limits.
 */
int sandbox_create(airlock_runtime *rt, int (*fill)(airlock_runtime *, airlock_vm *, void *), void *arg,
                   airlock_sandbox **out) {
    if (!rt || !out) return AIRLOCK_MISUSE;
    *out = NULL;
    int rc = ensure_snapshot(rt);
    if (rc) return rc;
    airlock_sandbox *sb = calloc(1, sizeof *sb);
    airlock_vm *vm = calloc(1, sizeof *vm);
    if (!sb || !vm) {
        free(sb);
        free(vm);
        return RT_FAIL(rt, AIRLOCK_NOMEM, "out of memory");
    }
    sb->rt = rt;
    sb->vm = vm;
    rc = apply_limits(sb, &rt->limits);
    if (rc == AIRLOCK_OK) rc = fill(rt, vm, arg);
    if (rc) {
        if (rc == AIRLOCK_NOMEM) RT_FAIL(rt, rc, "cannot create a sandbox: out of memory");
        else if (!rt->errmsg[0] || sb->errmsg[0]) RT_FAIL(rt, rc, "cannot create a sandbox: %s", sb->errmsg);
        airlock_free(sb);
        return rc;
    }
    *out = sb;
    return AIRLOCK_OK;
}

static int fill_from_snapshot(airlock_runtime *rt, airlock_vm *vm, void *arg) {
    (void)arg;
    int rc = clone_snapshot(rt, vm);
    return rc ? rc : host_fresh_vm(rt, vm);
}

int airlock_sandbox_new(airlock_runtime *rt, airlock_sandbox **out) {
    return sandbox_create(rt, fill_from_snapshot, NULL, out);
}

void sandbox_clear_run(airlock_sandbox *sb) {
    free(sb->result);
    free(sb->err_type);
    free(sb->err_message);
    free(sb->err_traceback);
    sb->result = sb->err_type = sb->err_message = sb->err_traceback = NULL;
    sb->result_len = 0;
    sb->exit_code = 0;
    sb->errmsg[0] = '\0';
}

/*
 * After a trap the guest was abandoned mid-instruction: its memory may hold
 * half-made structures. Replace it with a fresh copy of the snapshot.
 */
int sandbox_recover(airlock_sandbox *sb, int trap) {
    airlock_vm *old = sb->vm;
    airlock_vm *vm = calloc(1, sizeof *vm);
    int rc = vm ? clone_snapshot(sb->rt, vm) : AIRLOCK_NOMEM;
    if (rc == AIRLOCK_OK) {
        vm->limits = old->limits;
        vm->mem_limit = old->mem_limit;
        /* keep what the run printed before it was stopped */
        vm->out[0] = old->out[0];
        vm->out[1] = old->out[1];
        memset(&old->out, 0, sizeof old->out);
        sb->vm = vm;
        vm_destroy(old);
    } else {
        vm_destroy(vm);
    }
    const char *why = sb->limit ? airlock_limit_name(sb->limit) : NULL;
    if (why)
        SB_FAIL(sb, AIRLOCK_LIMIT, "the %s limit stopped the run; the session was reset", why);
    else
        SB_FAIL(sb, AIRLOCK_TRAP, "the guest trapped (%s); the session was reset", vm_trap_message(trap));
    return why ? AIRLOCK_LIMIT : AIRLOCK_TRAP;
}

void airlock_free(airlock_sandbox *sb) {
    if (!sb) return;
    sandbox_clear_run(sb);
    vm_destroy(sb->vm);
    free(sb);
}

int airlock_set_limits(airlock_sandbox *sb, const airlock_limits *lim) {
    if (!sb) return AIRLOCK_MISUSE;
    return apply_limits(sb, lim);
}

void airlock_interrupt(airlock_sandbox *sb) {
    if (sb) atomic_store(&sb->vm->interrupt, 1);
}

const char *airlock_stdout(const airlock_sandbox *sb, size_t *len) {
    if (len) *len = sb->vm->out[0].len;
    return outbuf_str(&sb->vm->out[0]);
}

const char *airlock_stderr(const airlock_sandbox *sb, size_t *len) {
    if (len) *len = sb->vm->out[1].len;
    return outbuf_str(&sb->vm->out[1]);
}

const char *airlock_result(const airlock_sandbox *sb, size_t *len) {
    if (len) *len = sb->result ? sb->result_len : 0;
    return sb->result;
}

const char *airlock_error_type(const airlock_sandbox *sb) { return sb->err_type; }
const char *airlock_error_message(const airlock_sandbox *sb) { return sb->err_message; }
const char *airlock_error_traceback(const airlock_sandbox *sb) { return sb->err_traceback; }
int airlock_exit_code(const airlock_sandbox *sb) { return sb->exit_code; }
airlock_limit_kind airlock_limit_hit(const airlock_sandbox *sb) { return sb->limit; }
const char *airlock_errmsg(const airlock_sandbox *sb) { return sb ? sb->errmsg : "no sandbox"; }

const char *airlock_limit_name(airlock_limit_kind kind) {
    static const char *const names[] = {NULL, "fuel", "timeout", "memory", "output", "interrupt", "stack"};
    return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : NULL;
}

void airlock_get_stats(const airlock_sandbox *sb, airlock_stats *out) { *out = sb->stats; }
