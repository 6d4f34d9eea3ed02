/*
 * guest.c - the MicroPython guest behind guest.h: its vms, each a
 * copy-on-write view of the runtime's snapshot (snapshot.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abi/abi.h"
#include "grants.h"
#include "guests/micropython/driver.h"
#include "guests/micropython/micropython.h"
#include "guests/micropython/qstr.h"
#include "guests/micropython/rewrite.h"
#include "plugins/host.h"
#include "runtime/meter.h"

/* Generated at build time from guests/micropython/lib/. */
extern const vfs_embedded_tree airlock_lib_tree;

static void process_init(void) {
    Z_guest_init_module();
}

/* The guest's filesystem: the grants (none while booting, with_grants
 * false: the boot is trusted code and must not depend on them), and /lib
 * with the compatibility library (an empty /lib for the bare guest). */
vfs *mp_new_vfs(const airlock_runtime *rt, bool with_grants) {
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

airlock_vm *mp_vm_alloc(const airlock_runtime *rt) {
    mp_vm *m = calloc(1, sizeof *m);
    airlock_vm *vm = m ? &m->vm : NULL;
    if (vm) {
        vm->guest = &guest_micropython;
        vm->mem = &vm->inst.w2c_memory;
        vm->limits = rt->limits;
        vm->mem_limit = rt->limits.memory_bytes;
    }
    return vm;
}

/*
 * Give vm the runtime's instance (globals), its own copy of the function
 * table and a fresh vfs; its memory is the caller's business. The
 * instance's host pointers always come from here, never from a snapshot or
 * a session file.
 */
int mp_attach_vm(airlock_runtime *rt, airlock_vm *vm, const Z_guest_instance_t *globals) {
    mp_runtime *mp = mp_of(rt);
    vm->inst = *globals;
    vm->inst.Z_airlock_instance = (struct Z_airlock_instance_t *)vm;
    vm->inst.Z_env_instance = (struct Z_env_instance_t *)vm;
    vm->inst.Z_wasi_snapshot_preview1_instance = (struct Z_wasi_snapshot_preview1_instance_t *)vm;
    vm->inst.w2c_memory = (wasm_rt_memory_t){0};
    vm->inst.w2c_memory.max_pages = mp->snap_inst.w2c_memory.max_pages;
    wasm_rt_funcref_t *table = malloc(mp->snap_table_size * sizeof *table);
    if (!table) return AIRLOCK_NOMEM;
    for (uint32_t i = 0; i < mp->snap_table_size; i++) {
        table[i] = mp->snap_table[i];
        if (table[i].func) table[i].module_instance = &vm->inst;
    }
    vm->inst.w2c___indirect_function_table = mp->snap_inst.w2c___indirect_function_table;
    vm->inst.w2c___indirect_function_table.data = table;
    vm->vfs = mp_new_vfs(rt, true);
    if (!vm->vfs) return AIRLOCK_NOMEM;
    vm->ticks_origin_ns = abi_monotonic_ns();
    vm->run_ref = mp->run_ref;
    vm->slots = mp->slots;
    vm->heap_live_bytes = mp->snap_heap_live;
    host_attach_vm(rt, vm);
    return AIRLOCK_OK;
}

/* A fresh copy of the runtime's snapshot, reseeded if boot drew
 * randomness. */
static int vm_new(airlock_runtime *rt, airlock_vm **out, char *err, size_t errsize) {
    mp_runtime *mp = mp_of(rt);
    airlock_vm *vm = *out = mp_vm_alloc(rt);
    if (!vm) return AIRLOCK_NOMEM;
    int rc = mp_attach_vm(rt, vm, &mp->snap_inst);
    if (rc) return rc;
    if (vm_memory_map_snapshot(vm, mp->snap_fd, mp->snap_bytes) != 0) return AIRLOCK_NOMEM;
    vm->pristine = true;
    return host_fresh_vm(rt, vm, err, errsize);
}

static void vm_free(airlock_vm *vm) {
    qstr_index_free(vm);
    free(vm->inst.w2c___indirect_function_table.data);
    free(vm);
}

/* runtime/undo.c's part for this guest: the instance's globals, all of
 * the instance but its memory descriptor and function table (host state,
 * which stays as it is). */
static bool undo_save(airlock_vm *vm) {
    mp_vm_of(vm)->undo_globals = vm->inst;
    return true;
}

static void undo_restore(airlock_vm *vm) {
    wasm_rt_memory_t mem = vm->inst.w2c_memory;
    wasm_rt_funcref_table_t table = vm->inst.w2c___indirect_function_table;
    vm->inst = mp_vm_of(vm)->undo_globals;
    vm->inst.w2c_memory = mem;
    vm->inst.w2c___indirect_function_table = table;
}

static void runtime_free(airlock_runtime *rt) {
    mp_runtime *mp = mp_of(rt);
    if (!mp) return;
    if (mp->snap_fd >= 0) close(mp->snap_fd);
    if (mp->pagemap_fd >= 0) close(mp->pagemap_fd);
    free(mp->snap_table);
    free(mp);
    rt->guest_state = NULL;
}

/* With the compatibility layer, the guest compiles the source as the
 * source rewriter leaves it (rewrite.h). */
static char *prepare_source(const airlock_runtime *rt, const char *src, size_t len, size_t *out_len) {
    return rt->no_compat ? NULL : rewrite_source(src, len, out_len);
}

/* ---- metering (runtime/meter.c) ---- */

/* The fuel pass's import (runtime/guest_fuel.h): a slice ran out. */
void Z_airlockZ_fuel_exhausted(struct Z_airlock_instance_t *self) { meter_exhausted(VM_OF(self)); }

/* The soft stop: a KeyboardInterrupt through MicroPython's own
 * pending-exception mechanism, raised at its next check. */
static void raise_keyboard_interrupt(airlock_vm *vm) { Z_guestZ_mp_sched_keyboard_interrupt(&vm->inst); }

static const guest_meter mp_meter = {
    .counter = offsetof(airlock_vm, inst.w2c_airlock_fuel),
    .slice = 1000000, /* about 10 us of fib: a clock read per slice was 2% of its CPU */
    .grace_ns = 100000000, /* 0.1 s */
    .grace_fuel = 20000000,
    .grace_fuel_every_stop = true,
    .soft_stop = raise_keyboard_interrupt,
};

const guest_ops guest_micropython = {
    .name = "micropython",
    .title = "MicroPython",
    .version = AIRLOCK_GUEST_VERSION,
    .sha256 = AIRLOCK_GUEST_SHA256,
    .compat = true,
    .undo = true,
    .undo_keep = 64, /* `x = 1` writes 11 pages */
    .host_calls = true,
    .grants = true,
    .fuel = true,
    .process_init = process_init,
    .boot = mp_snapshot_build,
    .runtime_free = runtime_free,
    .vm_new = vm_new,
    .vm_free = vm_free,
    .prepare_source = prepare_source,
    .exec = mp_exec,
    .run_trusted = mp_run_trusted,
    .meter = &mp_meter,
    .undo_save = undo_save,
    .undo_restore = undo_restore,
    .rolled_back = qstr_index_reset,
    .value = driver_value,
    .clone = mp_clone,
    .save = mp_save,
    .load = mp_load,
};
