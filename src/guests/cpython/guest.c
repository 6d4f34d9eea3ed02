/*
 * guest.c - the CPython guest behind guest.h.
 *
 * Each vm is a copy-on-write view of one interpreter booted with the
 * driver (driver.py) and frozen (snapshot.c: at build time, or by the
 * runtime), given two private mounts: /.airlock/in, read-only, where each
 * execution's source and file name appear (host memory, never copied), and
 * /.airlock/out, a small scratch tree where the driver writes its answer.
 * The only source that enters guest memory directly is the host's own: the
 * driver (at the boot), and the one-line call that starts each execution
 * (run_source).
 *
 * The runtime's grants (mounts, scratch) are each vm's filesystem, beside
 * the standard library; the two channels are internal mounts, never in the
 * audit trail. Host functions, plugins and the env, sqlite and net grants
 * reach the guest through plugins/boot.c's host modules, installed once
 * per runtime and frozen into its snapshot (boot): their transport is the
 * host-call device (plugins/device.c), as the JavaScript FFI leads nowhere.
 *
 * A trapped or hard-stopped execution is rolled back in place
 * (runtime/undo.c keeps the pages of memory it wrote; undo_save and
 * undo_restore below the rest). Sessions are session.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpython_guest.h"
#include "cpython_vm.h"
#include "guests/cpython/session.h"
#include "grants.h"
#include "plugins/host.h"
#include "runtime/meter.h"
#include "sandbox.h"
#include "vfs/scratch.h"
#include "vfs/vfs.h"

/* driver.py, embedded at build time (NUL-terminated). */
extern const vfs_embedded_tree cpython_driver_tree;

#define IN_DIR "/.airlock/in"
#define OUT_DIR "/.airlock/out"
#define ANSWER "answer"
/* The answer's room: a cut repr (4 bytes a character at worst) or a cut
 * traceback, with some to spare. */
#define OUT_BYTES (5u << 20)
#define BOOT_OUTPUT (4u << 10)

/* What this guest keeps beside each vm. */
typedef struct cpy_data {
    vfs_embedded_file in[2];   /* "source", "name": this execution's */
    vfs_embedded_tree in_tree;
    scratch *out;              /* mounted at OUT_DIR (the vfs owns it) */
} cpy_data;

static void process_init(void) {}

/* ---- source into the guest -------------------------------------------------- */

/* Copy src into the guest and run it in __main__; false if it raised (the
 * traceback is on the vm's stderr) or did not fit. Inside vm_call. */
static bool run_source(airlock_vm *vm, const char *src) {
    cpython_vm *c = cpython_of(vm);
    size_t len = strlen(src);
    u32 addr = len < UINT32_MAX ? Z_cpythonZ_malloc(&c->inst, (u32)len + 1) : 0;
    uint8_t *p = addr ? vm_ptr(vm, addr, (uint64_t)len + 1) : NULL;
    if (!p) return false;
    memcpy(p, src, len + 1);
    bool ok = Z_cpythonZ_PyRun_SimpleStringFlags(&c->inst, addr, 0) == 0;
    Z_cpythonZ_free(&c->inst, addr);
    return ok;
}

/* The host's own source, for boot and reseeding (inside vm_call). */
static bool run_trusted(airlock_vm *vm, const char *src, char *err, size_t errsize) {
    if (run_source(vm, src)) return true;
    snprintf(err, errsize, "%.300s", outbuf_str(&vm->out[1]));
    return false;
}

/* ---- vms ------------------------------------------------------------------------ */

static void vm_free(airlock_vm *vm) {
    free(vm->guest_data);
    cpython_free(cpython_of(vm));
}

/* The private mounts the driver reads and writes. */
static bool mount_channel(airlock_vm *vm, cpy_data *d) {
    d->in[0] = (vfs_embedded_file){"source", (const unsigned char *)"", 0};
    d->in[1] = (vfs_embedded_file){"name", (const unsigned char *)"", 0};
    d->in_tree = (vfs_embedded_tree){d->in, 2};
    if (vfs_mount_internal(vm->vfs, IN_DIR, &vfs_embedded_ops, &d->in_tree) != 0) return false;
    d->out = vfs_scratch_new(OUT_BYTES);
    return d->out && vfs_mount_internal(vm->vfs, OUT_DIR, &vfs_scratch_ops, d->out) == 0;
}

typedef struct host_args {
    airlock_runtime *rt;
    const char *what;
    bool over;   /* the snapshot holds another runtime's install */
    bool ok;
} host_args;

/* Over another install, the module tree's directory listing that the
 * import system keeps from it goes, and the hook comes back. */
static const char reinstall[] = "import importlib\nimportlib.invalidate_caches()\ndel importlib\n"
                                "_airlock_hook = __airlock_value__.hook\n";

/* The host modules (plugins/boot.c), then the driver's hook on their
 * values (__main__ holds it only while they install). */
static void attach_host(airlock_vm *vm, void *arg) {
    host_args *a = arg;
    a->ok = (!a->over || run_source(vm, reinstall)) && host_boot(a->rt, vm, &a->what) &&
            run_source(vm, "del _airlock_hook\n");
}

/* The runtime's start-up state: one interpreter booted with the driver
 * and frozen (snapshot.c); every vm is a copy-on-write view of it. */
typedef struct cpy_runtime {
    cpython_snapshot *snap;
} cpy_runtime;

/* A fresh interpreter from the snapshot, with its private mounts, cwd and
 * host state. The snapshot's memory is its lower bound (sandbox.c then
 * applies the runtime's limits). */
static int vm_from(airlock_runtime *rt, const cpython_snapshot *snap, airlock_vm **out) {
    uint64_t floor = cpython_snapshot_bytes(snap);
    cpython_options opt = {.memory_bytes = rt->limits.memory_bytes > floor ? rt->limits.memory_bytes : floor,
                           .output_bytes = BOOT_OUTPUT,
                           .vfs = grants_new_vfs(rt)};
    if (!opt.vfs) return AIRLOCK_NOMEM;
    cpython_vm *c = cpython_new_from_snapshot(snap, &opt);
    if (!c) return AIRLOCK_NOMEM;
    airlock_vm *vm = *out = &c->vm;
    cpy_data *d = vm->guest_data = calloc(1, sizeof *d);
    if (!d || !mount_channel(vm, d)) return AIRLOCK_NOMEM;
    if (rt->initial_cwd) vfs_chdir(vm->vfs, rt->initial_cwd); /* "/" if not visible */
    host_attach_vm(rt, vm);
    vm->limits = rt->limits;
    vm->pristine = true;
    return AIRLOCK_OK;
}

static int vm_new(airlock_runtime *rt, airlock_vm **out, char *err, size_t errsize) {
    cpy_runtime *st = rt->guest_state;
    int rc = vm_from(rt, st->snap, out);
    return rc ? rc : host_fresh_vm(rt, *out, err, errsize);
}

/* ---- the runtime ---------------------------------------------------------------- */

cpython_snapshot *cpython_runtime_snapshot(uint64_t memory_bytes, int *trap) {
    cpython_options opt = {.memory_bytes = memory_bytes,
                           .output_bytes = BOOT_OUTPUT,
                           .boot_source = (const char *)cpython_driver_tree.files[0].data};
    return cpython_snapshot_new(&opt, trap);
}

/*
 * The runtime's host modules (plugins/boot.c: its functions, plugins, env
 * and the values hook), installed once in an interpreter made from st's
 * snapshot, which is then frozen in its place: every sandbox starts with
 * them for nothing (installing them costs about 30 ms of CPU). The device
 * they write to is host state, given to each vm by host_attach_vm.
 */
static int install_host(airlock_runtime *rt, cpy_runtime *st, uint64_t digest) {
    airlock_vm *vm = NULL;
    int rc = vm_from(rt, st->snap, &vm);
    if (rc) {
        vm_destroy(vm);
        return runtime_fail(rt, rc, "out of memory");
    }
    vm->limits = (airlock_limits){0}; /* the install is ours: no fuel limit, no deadline */
    meter_begin(vm);
    bool reseed;
    host_args h = {rt, "host modules", cpython_snapshot_host(st->snap, &reseed) != 0, false};
    int trap = vm_call(vm, attach_host, &h);
    cpython_snapshot *installed = !trap && h.ok ? cpython_snapshot_freeze(cpython_of(vm)) : NULL;
    if (!installed) {
        rc = runtime_fail(rt, AIRLOCK_ERROR, "CPython could not install the %s (%s): %.300s", h.what,
                          trap ? vm_trap_message(trap) : h.ok ? "out of memory" : "it raised",
                          cpython_output(cpython_of(vm), 1));
        vm_destroy(vm);
        return rc;
    }
    vm_destroy(vm);
    cpython_snapshot_set_host(installed, digest, host_registry_of(rt)->reseed);
    cpython_snapshot_free(st->snap);
    st->snap = installed;
    return AIRLOCK_OK;
}

/* The host modules: already in the snapshot when it froze an install with
 * this runtime's digest (the build-time image holds the one of a runtime
 * with no host functions, plugins or env: mksnapshot.c), else installed. */
static int host_modules(airlock_runtime *rt, cpy_runtime *st) {
    uint64_t digest;
    if (!host_boot_digest(rt, guest_cpython.name, &digest)) return AIRLOCK_NOMEM;
    bool reseed;
    if (cpython_snapshot_host(st->snap, &reseed) != digest) return install_host(rt, st, digest);
    host_boot_adopt(rt, reseed);
    return AIRLOCK_OK;
}

cpython_snapshot *cpython_runtime_installed(airlock_runtime *rt) {
    cpy_runtime *st = rt->guest_state;
    return rt->guest == &guest_cpython && st ? st->snap : NULL;
}

/* The image built into the library if there is one (a damaged or stale one
 * is refused, never booted around), else boot once with the driver and
 * freeze it. */
static int boot(airlock_runtime *rt) {
    cpy_runtime *st = calloc(1, sizeof *st);
    if (!st) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    char why[200];
    int trap = 0;
    st->snap = cpython_snapshot_prebuilt(why, sizeof why);
    if (!st->snap && !why[0]) st->snap = cpython_runtime_snapshot(rt->limits.memory_bytes, &trap);
    if (!st->snap) {
        free(st);
        if (why[0]) return runtime_fail(rt, AIRLOCK_CORRUPT, "the built-in CPython snapshot is unusable: %s", why);
        if (!trap) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
        return runtime_fail(rt, AIRLOCK_TRAP, "CPython failed to start (%s)", vm_trap_message(trap));
    }
    int rc = host_modules(rt, st);
    if (rc) {
        cpython_snapshot_free(st->snap);
        free(st);
        return rc;
    }
    rt->boot_memory = cpython_snapshot_bytes(st->snap);
    rt->guest_state = st;
    return AIRLOCK_OK;
}

static void runtime_free(airlock_runtime *rt) {
    cpy_runtime *st = rt->guest_state;
    if (!st) return;
    cpython_snapshot_free(st->snap);
    free(st);
    rt->guest_state = NULL;
}

/* ---- executions ---------------------------------------------------------------- */

/* The driver's answer, at most cap bytes of it, read from the scratch
 * tree (host side: no guest memory is read): a malloc'd, NUL-terminated
 * copy, or NULL when there is none or the host is out of memory. *size is
 * the whole answer's size. */
static char *read_answer(cpy_data *d, size_t cap, size_t *len, uint64_t *size) {
    vfs_file *f = NULL;
    vfs_stat st;
    char *text = NULL;
    *size = 0;
    if (vfs_scratch_ops.open(d->out, ANSWER, VFS_O_RDONLY, 0, &f) != 0) return NULL;
    if (f->ops->fstat(f, &st) == 0 && st.size > 0) {
        size_t n = st.size < cap ? (size_t)st.size : cap;
        text = malloc(n + 1);
        int64_t got = text ? f->ops->pread(f, text, n, 0) : -1;
        if (got > 0) {
            text[got] = '\0';
            *len = (size_t)got;
            *size = st.size;
        } else {
            free(text);
            text = NULL;
        }
    }
    f->ops->close(f);
    vfs_scratch_ops.unlink(d->out, ANSWER);
    return text;
}

static void take_answer(cpy_data *d, guest_run *run) {
    size_t got = 0;
    uint64_t size;
    char *text = read_answer(d, GUEST_RESULT_CAP, &got, &size);
    run->kind = GUEST_UNREADABLE;
    if (!text) return;
    bool raised = text[0] == 'E';
    if (raised) memmove(text, text + 1, got--);
    run->kind = raised ? GUEST_RAISED : GUEST_ANSWERED;
    run->text = text;
    run->text_len = got;
}

/* Put this call's input where the driver reads it (the caller's buffers,
 * never copied; NULL: empty again). */
static void set_input(cpy_data *d, const char *source, size_t len, const char *name) {
    d->in[0].data = (const unsigned char *)(source ? source : "");
    d->in[0].size = source ? len : 0;
    d->in[1].data = (const unsigned char *)(name ? name : "");
    d->in[1].size = name ? strlen(name) : 0;
}

static void exec_source(airlock_vm *vm, guest_run *run) {
    cpy_data *d = vm->guest_data;
    set_input(d, run->src, run->len, run->filename);
    vfs_scratch_ops.unlink(d->out, ANSWER);
    vm->soft_stops = 0;
    run_source(vm, "__airlock_run__()\n");
    set_input(d, NULL, 0, NULL); /* the caller's buffers are not ours after the call */
    take_answer(d, run);
}

/* The embedder's values: the driver's __airlock_value__ answers
 * _airlock_host._value's text (guest.h), read back like an execution's. */
static guest_value_outcome value(airlock_vm *vm, char op, const char *name, const char *data, size_t len, size_t cap,
                                 char **text, size_t *text_len) {
    cpy_data *d = vm->guest_data;
    char call[] = "__airlock_value__('?')\n";
    *text = NULL;
    *text_len = 0;
    if (op != 's' && op != 'g' && op != 'r') return GUEST_VALUE_RAISED;
    *strchr(call, '?') = op;
    set_input(d, data, len, name);
    vfs_scratch_ops.unlink(d->out, ANSWER);
    vm->soft_stops = 0; /* as for an execution: this call may be stopped too */
    bool ok = run_source(vm, call);
    set_input(d, NULL, 0, NULL);
    uint64_t size;
    char *answer = read_answer(d, cap, text_len, &size);
    if (!ok) {
        free(answer);
        return GUEST_VALUE_RAISED;
    }
    if (size > cap) {
        free(answer);
        *text_len = (size_t)size;
        return GUEST_VALUE_ANSWERED;
    }
    *text = answer;
    return GUEST_VALUE_ANSWERED;
}

/* ---- rollback (runtime/undo.c keeps memory) ------------------------------------- */

/* What lies outside memory and goes back with it: the wasm globals, the
 * guest address of "UTC" (the rolled-back execution may have allocated
 * it), the loopback sockets. */
static bool undo_save(airlock_vm *vm) {
    cpython_vm *c = cpython_of(vm);
    memcpy(c->undo_globals, (const uint8_t *)&c->inst + CPYTHON_GLOBALS_FROM, sizeof c->undo_globals);
    c->undo_utc_name = c->utc_name;
    return cpython_net_save(c);
}

static void undo_restore(airlock_vm *vm) {
    cpython_vm *c = cpython_of(vm);
    memcpy((uint8_t *)&c->inst + CPYTHON_GLOBALS_FROM, c->undo_globals, sizeof c->undo_globals);
    c->utc_name = c->undo_utc_name;
    cpython_net_restore(c);
}

/* The abandoned call left the channel naming the caller's buffers. */
static void rolled_back(airlock_vm *vm) { set_input(vm->guest_data, NULL, 0, NULL); }

static bool exited(airlock_vm *vm, int *status) {
    *status = cpython_exit_status(cpython_of(vm));
    return cpython_of(vm)->exited;
}

const guest_ops guest_cpython = {
    .name = "cpython",
    .title = "CPython",
    .version = AIRLOCK_CPYTHON_VERSION,
    .sha256 = AIRLOCK_CPYTHON_SHA256,
    .undo = true,
    .undo_keep = 256, /* `x = 1` writes 110 to 120 pages */
    .host_calls = true,
    .grants = true,
    .host_device = true,
    .process_init = process_init,
    .boot = boot,
    .runtime_free = runtime_free,
    .vm_new = vm_new,
    .vm_free = vm_free,
    .fuel = true,
    .meter = &cpython_meter,
    .exec = exec_source,
    .run_trusted = run_trusted,
    .undo_save = undo_save,
    .undo_restore = undo_restore,
    .rolled_back = rolled_back,
    .exited = exited,
    .clone = cpython_session_clone,
    .save = cpython_session_save,
    .load = cpython_session_load,
    .value = value,
};
