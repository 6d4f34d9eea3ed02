/*
 * compat.c - small host helpers of the compatibility layer (guests/micropython/lib), each
 * a js bridge callable handed out while it boots (js.c), and the fuel they
 * charge.
 */
#include "guests/micropython/micropython.h"
#include "guests/micropython/slot.h"

void mp_bridge_charge(airlock_vm *vm, uint64_t bytes) {
    /* as the patch charges memory.copy: 1 unit per 16 bytes; the guest's
     * next check point sees the counter below zero */
    vm->inst.w2c_airlock_fuel -= bytes / 16 + 1;
}

void mp_bridge_put(airlock_vm *vm, uint32_t out, int32_t kind, uint32_t a, uint32_t b) {
    if (!slot_write(vm, out, kind, a, b)) vm_trap(vm, WASM_RT_TRAP_OOB);
}

void mp_bridge_put_str(airlock_vm *vm, uint32_t out, const void *data, size_t n) {
    if (!vm_ptr(vm, out, SLOT_SIZE)) vm_trap(vm, WASM_RT_TRAP_OOB); /* before the guest's memory is spent */
    /* the guest copies the str out of its malloc'd buffer and frees it */
    uint32_t p = n < UINT32_MAX ? Z_guestZ_malloc(&vm->inst, (uint32_t)n + 1) : 0;
    uint8_t *dst = p ? vm_ptr(vm, p, (uint64_t)n + 1) : NULL;
    if (!dst) {
        mp_bridge_put(vm, out, SLOT_JS_UNDEFINED, 0, 0);
        return;
    }
    memcpy(dst, data, n);
    dst[n] = 0;
    mp_bridge_put(vm, out, SLOT_JS_STRING, (uint32_t)n, p);
}

const uint8_t *mp_bridge_text(airlock_vm *vm, uint32_t arg, size_t *n) {
    slot s;
    if (!slot_read(vm, arg, &s)) vm_trap(vm, WASM_RT_TRAP_OOB);
    *n = s.a;
    return s.kind == SLOT_MP_STR ? vm_ptr(vm, s.b, s.a) : NULL;
}
