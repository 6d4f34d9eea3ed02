/*
 * boot.c - starting CPython and running source in it.
 *
 * CPython starts through its own exported API, not Pyodide's JavaScript
 * loader: instantiate, Emscripten's stack set-up and constructors, then
 * Py_InitializeEx(1) with PYTHONHOME=/ (sys.c's environment), which finds
 * the standard library at /lib/python314.zip: the pinned zip, embedded in
 * the binary and mounted read-only. /tmp is private scratch space; nothing
 * else exists. Pyodide's own packages (_pyodide, pyodide, js) are never
 * imported: they need JavaScript.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "abi/abi.h"
#include "cpython_guest.h"
#include "cpython_vm.h"
#include "runtime/meter.h"
#include "vfs/scratch.h"
#include "vfs/vfs.h"

void cpython_trampoline_init(void); /* sys.c */

static vfs_embedded_file stdlib_file;
static vfs_embedded_tree stdlib_tree;
static pthread_once_t module_once = PTHREAD_ONCE_INIT;

static void init_module(void) {
    Z_cpython_init_module();
    cpython_trampoline_init();
    stdlib_file = (vfs_embedded_file){"python314.zip", cpython_stdlib_zip, (size_t)cpython_stdlib_size};
    stdlib_tree = (vfs_embedded_tree){&stdlib_file, 1};
}

#define DEFAULT_MEMORY (1ull << 30)
#define DEFAULT_OUTPUT (1u << 20)
#define SCRATCH_BYTES (16u << 20)

/* The standard library and a private /tmp, added to the runtime's grants
 * (v, taken over) or to an empty vfs. A granted /tmp stays the grant. */
static vfs *guest_vfs(vfs *v) {
    if (!v && !(v = vfs_new())) return NULL;
    scratch *tmp = vfs_scratch_new(SCRATCH_BYTES);
    int rc = tmp ? vfs_mount(v, "/tmp", &vfs_scratch_ops, tmp) : -VFS_ENOMEM;
    if (vfs_mount(v, "/lib", &vfs_embedded_ops, &stdlib_tree) != 0 || (rc && rc != -VFS_EEXIST)) {
        vfs_free(v);
        return NULL;
    }
    return v;
}

/* Modules every first traceback needs (PyErr_Display prints through the
 * traceback module), imported at boot so that a fresh interpreter's first
 * uncaught exception, the soft stop's KeyboardInterrupt among them, prints
 * at once instead of compiling them from the zip inside its grace period.
 * No name is bound in __main__. */
static const char warm_up[] = "__import__('traceback')";

/* The random draws of a boot: Py_InitializeEx's hash secret, and nothing
 * else (a module seeded at boot would be frozen by a snapshot). */
#define BOOT_RANDOM_DRAWS 1

/* Run the host's own source in __main__ during the boot: a failure ends
 * the boot (trap). */
static void run_boot_source(airlock_vm *vm, const char *source) {
    cpython_vm *c = cpython_of(vm);
    size_t len = strlen(source) + 1;
    u32 src = len < UINT32_MAX ? Z_cpythonZ_malloc(&c->inst, (u32)len) : 0;
    uint8_t *p = src ? vm_ptr(vm, src, len) : NULL;
    if (!p) vm_trap(vm, WASM_RT_TRAP_OOB);
    memcpy(p, source, len);
    if (Z_cpythonZ_PyRun_SimpleStringFlags(&c->inst, src, 0) != 0) vm_trap(vm, VM_TRAP_ABORT);
    Z_cpythonZ_free(&c->inst, src);
}

static void boot(airlock_vm *vm, void *arg) {
    const cpython_options *opt = arg;
    cpython_vm *c = cpython_of(vm);
    Z_cpython_instantiate(&c->inst, (struct Z_pyairlock_instance_t *)vm, (struct Z_pyenv_instance_t *)vm,
                          (struct Z_pywasi_instance_t *)vm);
    meter_begin(vm); /* unmetered (cpython_boot), but counted */
    Z_cpythonZ_emscripten_stack_init(&c->inst);
    Z_cpythonZ___wasm_call_ctors(&c->inst);
    /* Turn on the eval loop's periodic call to our soft-stop check (sys.c). */
    if (!vm_store_u32(vm, c->inst.w2c_Py_EMSCRIPTEN_SIGNAL_HANDLING, 1)) vm_trap(vm, WASM_RT_TRAP_OOB);
    /* initsigs=1: CPython's own SIGINT handler, so that the soft stop's
     * SIGINT (sys.c) becomes KeyboardInterrupt. Handlers live in the guest's
     * libc; nothing reaches the host's signals. */
    Z_cpythonZ_Py_InitializeEx(&c->inst, 1);
    run_boot_source(vm, warm_up);
    if (opt->boot_source) run_boot_source(vm, opt->boot_source);
}

bool cpython_snapshot_check_seedless(const cpython_vm *c) { return c->vm.random_draws == BOOT_RANDOM_DRAWS; }

static void set_output_limit(airlock_vm *vm, size_t bytes) {
    outbuf_reset(&vm->out[0], bytes);
    outbuf_reset(&vm->out[1], bytes);
}

/* The fixed seed of deterministic mode (the MicroPython guest's). */
#define DETERMINISTIC_SEED 0x2545f4914f6cdd1dull

cpython_vm *cpython_vm_new(const cpython_options *opt) {
    pthread_once(&module_once, init_module);
    vm_signals_install();
    cpython_vm *c = aligned_alloc(CPYTHON_VM_ALIGN, sizeof *c);
    if (!c) {
        vfs_free(opt->vfs);
        return NULL;
    }
    memset(c, 0, sizeof *c);
    airlock_vm *vm = &c->vm;
    vm->guest = &guest_cpython;
    vm->own_stack = true; /* C recursion as deep as CPython's guards allow (trap.c) */
    vm->mem_limit = opt->memory_bytes ? opt->memory_bytes : DEFAULT_MEMORY;
    vm->limits.timeout_seconds = opt->timeout_seconds;
    vm->limits.fuel = opt->fuel;
    vm->deterministic = opt->deterministic;
    vm->rng_state = DETERMINISTIC_SEED;
    vm->ticks_origin_ns = abi_monotonic_ns();
    c->output_bytes = opt->output_bytes ? opt->output_bytes : DEFAULT_OUTPUT;
    set_output_limit(vm, c->output_bytes);
    vm->vfs = guest_vfs(opt->vfs);
    if (!vm->vfs) {
        cpython_free(c);
        return NULL;
    }
    return c;
}

cpython_vm *cpython_boot(const cpython_options *opt, int *trap) {
    *trap = 0;
    cpython_vm *c = cpython_vm_new(opt);
    if (!c) return NULL;
    airlock_limits run_limits = c->vm.limits;
    c->vm.limits = (airlock_limits){0}; /* the boot is ours: no fuel limit, no deadline */
    *trap = vm_call(&c->vm, boot, (void *)opt);
    c->vm.limits = run_limits;
    if (*trap) c->dead = true;
    return c;
}

typedef struct run_args {
    const char *source;
    size_t len;
    int result;
} run_args;

static void run(airlock_vm *vm, void *arg) {
    run_args *a = arg;
    cpython_vm *c = cpython_of(vm);
    u32 src = Z_cpythonZ_malloc(&c->inst, (u32)a->len + 1);
    uint8_t *p = src ? vm_ptr(vm, src, a->len + 1) : NULL;
    if (!p) {
        a->result = CPYTHON_NOMEM;
        return;
    }
    memcpy(p, a->source, a->len);
    p[a->len] = '\0';
    a->result = Z_cpythonZ_PyRun_SimpleStringFlags(&c->inst, src, 0) == 0 ? CPYTHON_OK : CPYTHON_RAISED;
    Z_cpythonZ_free(&c->inst, src);
}

/* Limits of one run: the deadline and fuel (soft stop, then hard), no
 * stop yet. */
static void begin_run(airlock_vm *vm) {
    vm->interrupts = &cpython_of(vm)->interrupts;
    vm->mem_limit_hit = false;
    meter_begin(vm);
}

int cpython_exec(cpython_vm *c, const char *source, int *trap) {
    *trap = 0;
    if (c->dead) return CPYTHON_DEAD;
    size_t len = strlen(source);
    if (len >= UINT32_MAX / 2) return CPYTHON_NOMEM;
    airlock_vm *vm = &c->vm;
    set_output_limit(vm, c->output_bytes);
    begin_run(vm);
    run_args a = {source, len, CPYTHON_OK};
    *trap = vm_call(vm, run, &a);
    if (*trap) {
        c->dead = true; /* the interpreter may hold half-made state */
        return c->exited ? CPYTHON_EXITED : CPYTHON_TRAPPED;
    }
    return a.result;
}

void cpython_interrupt(cpython_vm *c) { atomic_fetch_add(&c->interrupts.sent, 1); }

const char *cpython_output(const cpython_vm *c, int stream) { return outbuf_str(&c->vm.out[stream ? 1 : 0]); }

uint64_t cpython_fuel_used(const cpython_vm *c) { return meter_fuel_used(&c->vm); }

int cpython_exit_status(const cpython_vm *c) { return c->exit_status; }

const char *cpython_refused_import(const cpython_vm *c) { return c->refused_js; }

int cpython_stop_reason(const cpython_vm *c) { return c->vm.stop_reason; }

void cpython_free(cpython_vm *c) {
    if (!c) return;
    airlock_vm *vm = &c->vm;
    free(c->inst.w2c___indirect_function_table.data);
    free(c->inst.w2c_T1.data);
    free(c->inst.w2c_T2.data);
    vm_memory_unmap(vm);
    if (vm->vfs) vfs_free(vm->vfs);
    cpython_net_free(c);
    outbuf_free(&vm->out[0]);
    outbuf_free(&vm->out[1]);
    free(c);
}
