/*
 * driver.c - the host's calls into boot.py's _airlock_run (driver.h).
 */
#include <stdlib.h>
#include <string.h>

#include "guests/micropython/driver.h"
#include "guests/micropython/micropython.h"

bool driver_call(airlock_vm *vm, const driver_arg *args, size_t n, slot *answer) {
    enum { MAX_ARGS = 3 };
    uint32_t bufs[MAX_ARGS] = {0};
    /* n argument slots, then the answer's */
    uint32_t slots = n <= MAX_ARGS ? Z_guestZ_malloc(&vm->inst, (uint32_t)(n + 1) * SLOT_SIZE) : 0;
    bool ok = slots != 0;
    for (size_t i = 0; ok && i < n; i++) {
        /* The guest takes ownership of each string: its conversion copies it
         * into a str object and frees the buffer. */
        bufs[i] = args[i].len < UINT32_MAX ? mp_put_bytes(vm, args[i].data, args[i].len) : 0;
        ok = bufs[i] && slot_write(vm, slots + (uint32_t)i * SLOT_SIZE, SLOT_JS_STRING, (uint32_t)args[i].len, bufs[i]);
    }
    if (!ok) {
        for (size_t i = 0; i < n; i++)
            if (bufs[i]) Z_guestZ_free(&vm->inst, bufs[i]);
        if (slots) Z_guestZ_free(&vm->inst, slots);
        return false;
    }
    uint32_t out = slots + (uint32_t)n * SLOT_SIZE;
    Z_guestZ_proxy_c_to_js_call(&vm->inst, vm->run_ref, (uint32_t)n, slots, out);
    bool read = slot_read(vm, out, answer);
    Z_guestZ_free(&vm->inst, slots);
    if (!read) vm_trap(vm, WASM_RT_TRAP_OOB);
    return true;
}

char *driver_copy(airlock_vm *vm, uint32_t ptr, uint32_t len, size_t cap, size_t *out_len) {
    size_t n = len < cap ? len : cap;
    const uint8_t *p = vm_ptr(vm, ptr, n);
    if (!p) return NULL;
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, p, n);
    s[n] = '\0';
    *out_len = n;
    return s;
}

guest_value_outcome driver_value(airlock_vm *vm, char op, const char *name, const char *data, size_t len, size_t cap,
                                 char **text, size_t *text_len) {
    *text = NULL;
    *text_len = 0;
    const driver_arg args[3] = {{name, strlen(name)}, {data, len}, {&op, 1}};
    slot answer;
    if (!driver_call(vm, args, 3, &answer)) return GUEST_VALUE_NO_MEMORY;
    if (answer.kind == SLOT_MP_EXCEPTION) {
        /* outside _value's own try: the text is a buffer we give back */
        Z_guestZ_free(&vm->inst, answer.b);
        return GUEST_VALUE_RAISED;
    }
    if (answer.kind != SLOT_MP_STR) return GUEST_VALUE_ANSWERED;
    *text_len = answer.a;
    if (answer.a <= cap) *text = driver_copy(vm, answer.b, answer.a, cap, text_len);
    return GUEST_VALUE_ANSWERED;
}
