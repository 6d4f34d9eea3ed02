/*
 * slot.h - the MicroPython guest's 12-byte value slots: the one definition.
 *
 * MicroPython's WebAssembly port (proxy_c.c) passes values between C and
 * its host as {int32 kind, uint32 a, uint32 b}. Two numberings exist: the
 * kinds of Python values the guest answers with (SLOT_MP_*), and the kinds
 * of host values the guest decodes (SLOT_JS_*).
 */
#ifndef AIRLOCK_MICROPYTHON_SLOT_H
#define AIRLOCK_MICROPYTHON_SLOT_H

#include <string.h>

#include "runtime/vm.h"

enum {
    SLOT_MP_EXCEPTION = -1, /* a: length, b: malloc'd "Type\x04traceback" text */
    SLOT_MP_STR = 5,        /* a: length, b: address */
    SLOT_MP_CALLABLE = 6,
    SLOT_MP_OBJECT = 8,
};

enum {
    SLOT_JS_UNDEFINED = 0,
    SLOT_JS_NULL = 1,
    SLOT_JS_BOOLEAN = 2,
    SLOT_JS_INTEGER = 3,
    SLOT_JS_DOUBLE = 4,
    SLOT_JS_STRING = 5,     /* a: length, b: malloc'd bytes the guest takes over */
    SLOT_JS_OBJECT = 7,     /* a: the host object's reference number */
};

#define SLOT_SIZE 12u

typedef struct slot {
    int32_t kind;
    uint32_t a, b;
} slot;

/* Read the slot at addr; false if it lies outside guest memory. */
static inline bool slot_read(airlock_vm *vm, uint32_t addr, slot *out) {
    const uint8_t *p = vm_ptr(vm, addr, SLOT_SIZE);
    if (!p) return false;
    memcpy(out, p, SLOT_SIZE);
    return true;
}

/* Write the slot at addr; false if it lies outside guest memory. */
static inline bool slot_write(airlock_vm *vm, uint32_t addr, int32_t kind, uint32_t a, uint32_t b) {
    uint8_t *p = vm_ptr(vm, addr, SLOT_SIZE);
    if (!p) return false;
    slot s = {kind, a, b};
    memcpy(p, &s, SLOT_SIZE);
    return true;
}

#endif
