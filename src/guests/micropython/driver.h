/*
 * driver.h - calling the MicroPython guest's driver (boot.py's
 * _airlock_run) from the host: this guest's half of executions (exec.c)
 * and of the embedder's values (src/values.c). Everything here runs inside
 * vm_call.
 */
#ifndef AIRLOCK_MICROPYTHON_DRIVER_H
#define AIRLOCK_MICROPYTHON_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "guests/guest.h"
#include "guests/micropython/slot.h"

/* One str argument of the driver: len bytes (NUL bytes allowed). */
typedef struct driver_arg {
    const char *data;
    size_t len;
} driver_arg;

/*
 * Call _airlock_run with n (at most 3) str arguments; *answer is the slot
 * it answered (SLOT_MP_STR, SLOT_MP_EXCEPTION...). false when the guest heap
 * cannot hold the arguments (nothing was called).
 */
bool driver_call(airlock_vm *vm, const driver_arg *args, size_t n, slot *answer);

/* A host copy of the first min(len, cap) bytes at guest address ptr,
 * NUL-terminated; NULL if they lie outside guest memory or on host OOM. */
char *driver_copy(airlock_vm *vm, uint32_t ptr, uint32_t len, size_t cap, size_t *out_len);

/* The guest's half of a value operation (guest_ops.value). */
guest_value_outcome driver_value(airlock_vm *vm, char op, const char *name, const char *data, size_t len, size_t cap,
                                 char **text, size_t *text_len);

#endif
