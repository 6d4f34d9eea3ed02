/*
 * host.c - the MicroPython guest's end of a host call: the js bridge's host
 * callable (js.c) called with one str, answered in the guest's 12-byte
 * value slot. The call itself is plugins/call.c's, the same for every
 * guest (host_call_serve); what is MicroPython's is the slot: a scalar
 * goes straight into it, anything else as a str the guest decodes.
 */
#include <string.h>

#include "guests/micropython/micropython.h"
#include "guests/micropython/slot.h"
#include "plugins/host.h"

/* Scalars the guest can take straight from the slot; false otherwise. */
static bool put_scalar(airlock_vm *vm, uint32_t out, const airlock_value *v) {
    switch (airlock_value_kind(v)) {
    case AIRLOCK_NONE: mp_bridge_put(vm, out, SLOT_JS_NULL, 0, 0); return true;
    case AIRLOCK_BOOL: mp_bridge_put(vm, out, SLOT_JS_BOOLEAN, airlock_value_bool(v) ? 1 : 0, 0); return true;
    case AIRLOCK_INT: {
        int64_t i = airlock_value_int(v);
        if (i < INT32_MIN || i > INT32_MAX) return false; /* the slot holds 32 bits */
        mp_bridge_put(vm, out, SLOT_JS_INTEGER, (uint32_t)(int32_t)i, 0);
        return true;
    }
    case AIRLOCK_FLOAT: {
        double d = airlock_value_float(v);
        uint32_t w[2];
        memcpy(w, &d, 8);
        mp_bridge_put(vm, out, SLOT_JS_DOUBLE, w[0], w[1]);
        return true;
    }
    default: return false;
    }
}

static bool slot_put(airlock_vm *vm, const airlock_value *v, void *ctx) {
    return put_scalar(vm, *(const uint32_t *)ctx, v);
}

void mp_host_call(airlock_vm *vm, uint32_t a0, uint32_t out) {
    slot s;
    if (!slot_read(vm, a0, &s)) vm_trap(vm, WASM_RT_TRAP_OOB);
    const uint8_t *blob = s.kind == SLOT_MP_STR ? vm_ptr(vm, s.b, s.a) : NULL;
    host_put put = {slot_put, &out};
    host_served r = host_call_serve(vm, blob, s.a, &put);
    if (r == HOST_SERVED_NOMEM) mp_bridge_put(vm, out, SLOT_JS_UNDEFINED, 0, 0); /* the guest raises MemoryError */
    /* last, so that a trap inside the guest's malloc leaks nothing */
    if (r == HOST_SERVED_TEXT) mp_bridge_put_str(vm, out, vm->host_buf->data, vm->host_buf->len);
}
