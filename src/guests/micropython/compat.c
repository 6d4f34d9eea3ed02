/*
 * compat.c - small host helpers of the compatibility layer (guests/micropython/lib), each
 * a js bridge callable handed out while it boots (js.c), and the fuel they
 * charge.
 */
#include <string.h>

#include "guests/micropython/micropython.h"
#include "guests/micropython/slot.h"

/* Caps of find_any's needle list: its host work is at most the source's
 * length times MAX_NEEDLES. */
#define MAX_NEEDLES 64
#define MAX_NEEDLES_LEN 4096

void mp_bridge_charge(airlock_vm *vm, uint64_t bytes) {
    /* as the patch charges memory.copy: 1 unit per 16 bytes; the guest's
     * next check point sees the counter below zero */
    vm->inst.w2c_airlock_fuel -= bytes / 16 + 1;
}

void mp_bridge_put(airlock_vm *vm, uint32_t out, int32_t kind, uint32_t a, uint32_t b) {
    if (!slot_write(vm, out, kind, a, b)) vm_trap(vm, WASM_RT_TRAP_OOB);
}

const uint8_t *mp_bridge_text(airlock_vm *vm, uint32_t arg, size_t *n) {
    slot s;
    if (!slot_read(vm, arg, &s)) vm_trap(vm, WASM_RT_TRAP_OOB);
    *n = s.a;
    return s.kind == SLOT_MP_STR ? vm_ptr(vm, s.b, s.a) : NULL;
}

/* find_any(text, needles): whether text contains one of the '\n'-separated
 * needles (the rewriter's pre-check, guests/micropython/lib/_airlock_rewrite.py). */
void mp_find_any(airlock_vm *vm, uint32_t a0, uint32_t a1, uint32_t out) {
    size_t n, nn;
    const uint8_t *text = mp_bridge_text(vm, a0, &n);
    const uint8_t *needles = mp_bridge_text(vm, a1, &nn);
    if (!text || !needles || nn > MAX_NEEDLES_LEN) {
        mp_bridge_put(vm, out, SLOT_JS_UNDEFINED, 0, 0); /* the caller does it in Python */
        return;
    }
    bool found = false;
    int count = 0;
    for (size_t i = 0; i < nn && !found;) {
        const uint8_t *end = memchr(needles + i, '\n', nn - i);
        size_t len = (end ? (size_t)(end - needles) : nn) - i;
        if (++count > MAX_NEEDLES) {
            mp_bridge_put(vm, out, SLOT_JS_UNDEFINED, 0, 0);
            return;
        }
        mp_bridge_charge(vm, n);
        found = len && memmem(text, n, needles + i, len) != NULL;
        i += len + 1;
    }
    mp_bridge_put(vm, out, SLOT_JS_BOOLEAN, found, 0);
}
