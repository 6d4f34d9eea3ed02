/*
 * fz_imports.c - the guest-to-host import layer, driven with hostile
 * arguments.
 *
 * A guest that controls its own memory can call any import with any
 * arguments and write anything anywhere in its memory between calls. This
 * harness does exactly
 * that on a real vm (a fresh sandbox per input, for reproducibility): the
 * input is a script of steps, each either a write into guest memory or a
 * call of one import (Z_envZ_*, Z_wasi_*, Z_airlockZ_*) with arguments
 * chosen to hit the edges: pointers at and past the end of memory, lengths
 * that wrap 32 bits when added to them, bad table indexes, huge counts.
 * Every call runs inside vm_call with small fuel, so a trap (the expected
 * answer to most of this) is caught, and guest code the host calls back
 * is bounded. The host must never crash, read or write outside guest
 * memory (AddressSanitizer watches), or hang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/input.h"
#include "runtime/meter.h"
#include "runtime/vm.h"
#include "sandbox.h"

static airlock_runtime *rt;

/* ---- argument choice -------------------------------------------------- */

/* A u32 argument aimed at the interesting edges of the current memory. */
static uint32_t pick_arg(airlock_vm *vm, fz_input *in) {
    uint32_t size = (uint32_t)vm->inst.w2c_memory.size; /* < 4 GiB here */
    uint8_t kind = fz_u8(in);
    switch (kind % 8) {
    case 0: return fz_u8(in);                         /* small: fds, counts, flags */
    case 1: return fz_u32(in);                        /* anything */
    case 2: return size - fz_u8(in);                  /* just inside the end */
    case 3: return size + fz_u8(in);                  /* just past the end */
    case 4: return UINT32_MAX - fz_u8(in);            /* wraps when a length is added */
    case 5: return 0x80000000u + fz_u8(in);           /* sign flips when read as int */
    case 6: return 4096u + (uint32_t)fz_u8(in) * 64u; /* low memory: data the harness wrote */
    default: return (uint32_t)AIRLOCK_GC_AREA_ADDR + fz_u8(in); /* the collector's heap records */
    }
}

/* ---- the imports, with a uniform calling shape ------------------------- */

typedef void (*caller)(airlock_vm *vm, const uint32_t *a);

#define I(vm) ((void *)(vm))
#define C0(f) static void c_##f(airlock_vm *vm, const uint32_t *a) { (void)a; f(I(vm)); }
#define C1(f) static void c_##f(airlock_vm *vm, const uint32_t *a) { f(I(vm), a[0]); }
#define C2(f) static void c_##f(airlock_vm *vm, const uint32_t *a) { f(I(vm), a[0], a[1]); }
#define C3(f) static void c_##f(airlock_vm *vm, const uint32_t *a) { f(I(vm), a[0], a[1], a[2]); }
#define C4(f) static void c_##f(airlock_vm *vm, const uint32_t *a) { f(I(vm), a[0], a[1], a[2], a[3]); }
#define C5(f) static void c_##f(airlock_vm *vm, const uint32_t *a) { f(I(vm), a[0], a[1], a[2], a[3], a[4]); }
#define C6(f) \
    static void c_##f(airlock_vm *vm, const uint32_t *a) { f(I(vm), a[0], a[1], a[2], a[3], a[4], a[5]); }
#define C8(f)                                                                    \
    static void c_##f(airlock_vm *vm, const uint32_t *a) {                       \
        f(I(vm), a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);                \
    }

C0(Z_airlockZ_fuel_exhausted) C0(Z_airlockZ_gc_collect)
C1(Z_envZ___syscall_chdir) C2(Z_envZ___syscall_fstat64) C2(Z_envZ___syscall_getcwd)
C3(Z_envZ___syscall_getdents64) C2(Z_envZ___syscall_lstat64) C3(Z_envZ___syscall_mkdirat)
C4(Z_envZ___syscall_newfstatat) C4(Z_envZ___syscall_openat) C3(Z_envZ___syscall_poll)
C4(Z_envZ___syscall_renameat) C1(Z_envZ___syscall_rmdir) C2(Z_envZ___syscall_stat64)
C3(Z_envZ___syscall_statfs64) C3(Z_envZ___syscall_unlinkat) C0(Z_envZ__abort_js)
C0(Z_envZ__emscripten_throw_longjmp) C2(Z_envZ_call0) C6(Z_envZ_call0_kwarg) C4(Z_envZ_call1) C5(Z_envZ_call2)
C5(Z_envZ_calln) C8(Z_envZ_calln_kwarg) C2(Z_envZ_create_promise) C1(Z_envZ_emscripten_resize_heap)
C2(Z_envZ_has_attr) C1(Z_envZ_js_check_existing) C3(Z_envZ_js_get_error_info)
C2(Z_envZ_js_get_iter) C1(Z_envZ_js_get_proxy_js_ref_info) C2(Z_envZ_js_iter_next)
C4(Z_envZ_js_reflect_construct) C3(Z_envZ_js_subscr_load) C3(Z_envZ_js_subscr_store)
C5(Z_envZ_js_then_continue) C2(Z_envZ_js_then_reject) C2(Z_envZ_js_then_resolve) C3(Z_envZ_lookup_attr)
C0(Z_envZ_mp_js_random_u32) C0(Z_envZ_mp_js_ticks_ms) C0(Z_envZ_mp_js_time_ms)
C1(Z_envZ_proxy_convert_mp_to_js_then_js_to_js_then_js_to_mp_obj_jsside)
C1(Z_envZ_proxy_convert_mp_to_js_then_js_to_mp_obj_jsside) C1(Z_envZ_proxy_js_free_obj) C3(Z_envZ_store_attr)
C1(Z_wasi_snapshot_preview1Z_fd_close) C4(Z_wasi_snapshot_preview1Z_fd_read) C1(Z_wasi_snapshot_preview1Z_fd_sync)
C4(Z_wasi_snapshot_preview1Z_fd_write)

/* fd_seek takes a 64-bit offset: two argument words. */
static void c_fd_seek(airlock_vm *vm, const uint32_t *a) {
    Z_wasi_snapshot_preview1Z_fd_seek(I(vm), a[0], (uint64_t)a[1] << 32 | a[2], a[3], a[4]);
}

#define E(f, n) {c_##f, n}
static const struct {
    caller fn;
    int nargs;
} imports[] = {
    E(Z_airlockZ_fuel_exhausted, 0), E(Z_airlockZ_gc_collect, 0), E(Z_envZ___syscall_chdir, 1),
    E(Z_envZ___syscall_fstat64, 2), E(Z_envZ___syscall_getcwd, 2), E(Z_envZ___syscall_getdents64, 3),
    E(Z_envZ___syscall_lstat64, 2), E(Z_envZ___syscall_mkdirat, 3), E(Z_envZ___syscall_newfstatat, 4),
    E(Z_envZ___syscall_openat, 4), E(Z_envZ___syscall_poll, 3), E(Z_envZ___syscall_renameat, 4),
    E(Z_envZ___syscall_rmdir, 1), E(Z_envZ___syscall_stat64, 2), E(Z_envZ___syscall_statfs64, 3),
    E(Z_envZ___syscall_unlinkat, 3), E(Z_envZ__abort_js, 0), E(Z_envZ__emscripten_throw_longjmp, 0),
    E(Z_envZ_call0, 2), E(Z_envZ_call0_kwarg, 6), E(Z_envZ_call1, 4), E(Z_envZ_call2, 5), E(Z_envZ_calln, 5),
    E(Z_envZ_calln_kwarg, 8), E(Z_envZ_create_promise, 2), E(Z_envZ_emscripten_resize_heap, 1),
    E(Z_envZ_has_attr, 2), E(Z_envZ_js_check_existing, 1), E(Z_envZ_js_get_error_info, 3), E(Z_envZ_js_get_iter, 2),
    E(Z_envZ_js_get_proxy_js_ref_info, 1), E(Z_envZ_js_iter_next, 2), E(Z_envZ_js_reflect_construct, 4),
    E(Z_envZ_js_subscr_load, 3), E(Z_envZ_js_subscr_store, 3), E(Z_envZ_js_then_continue, 5),
    E(Z_envZ_js_then_reject, 2), E(Z_envZ_js_then_resolve, 2), E(Z_envZ_lookup_attr, 3),
    E(Z_envZ_mp_js_random_u32, 0), E(Z_envZ_mp_js_ticks_ms, 0), E(Z_envZ_mp_js_time_ms, 0),
    E(Z_envZ_proxy_convert_mp_to_js_then_js_to_js_then_js_to_mp_obj_jsside, 1),
    E(Z_envZ_proxy_convert_mp_to_js_then_js_to_mp_obj_jsside, 1), E(Z_envZ_proxy_js_free_obj, 1),
    E(Z_envZ_store_attr, 3), E(Z_wasi_snapshot_preview1Z_fd_close, 1), E(Z_wasi_snapshot_preview1Z_fd_read, 4),
    E(Z_wasi_snapshot_preview1Z_fd_sync, 1), E(Z_wasi_snapshot_preview1Z_fd_write, 4), E(fd_seek, 5),
};
#define N_IMPORTS (sizeof imports / sizeof *imports)

/* ---- the script ----------------------------------------------------------- */

typedef struct step {
    fz_input *in;
    int which;          /* index into imports, or -1 for a memory write */
    uint32_t args[8];
} step;

/* Write input bytes into guest memory, as guest code could. */
static void poke(airlock_vm *vm, fz_input *in) {
    uint32_t addr = pick_arg(vm, in);
    size_t n = fz_u8(in);
    for (size_t i = 0; i < n; i++) {
        uint8_t b = fz_u8(in);
        uint8_t *p = vm_ptr(vm, addr + (uint32_t)i, 1);
        if (p) {
            vm_prepare_write(vm, p, 1);
            *p = b;
        }
    }
}

static void run_step(airlock_vm *vm, void *arg) {
    step *s = arg;
    if (s->which < 0)
        poke(vm, s->in);
    else
        imports[s->which].fn(vm, s->args);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    airlock_limits lim = {.size = sizeof(airlock_limits), .memory_bytes = 48u << 20, .fuel = 2000000, .timeout_seconds = 1.0, .max_output_bytes = 4096};
    if (airlock_runtime_new(&rt) || airlock_runtime_set_limits(rt, &lim) || airlock_runtime_scratch(rt, "/tmp", 65536))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!rt) LLVMFuzzerInitialize(NULL, NULL);
    airlock_sandbox *sb = NULL;
    if (airlock_sandbox_new(rt, &sb) != AIRLOCK_OK) abort();
    airlock_vm *vm = sb->vm;
    fz_input in = {data, size};
    meter_begin(vm); /* small fuel: guest code the host calls back is bounded */
    for (int steps = 0; in.left && steps < 64; steps++) {
        step s = {.in = &in};
        uint8_t op = fz_u8(&in);
        s.which = op % (N_IMPORTS + 8) < N_IMPORTS ? (int)(op % (N_IMPORTS + 8)) : -1;
        if (s.which >= 0)
            for (int i = 0; i < imports[s.which].nargs; i++) s.args[i] = pick_arg(vm, &in);
        vm_call(vm, run_step, &s);
        if (vm->stop_reason) break; /* a hard stop is coming: this vm is done */
    }
    airlock_sandbox_free(sb);
    return 0;
}
