/*
 * driver.h - calling the guest's driver (src/boot.py's _airlock_run) from
 * the host: the MicroPython guest's half of executions (exec.c) and of the
 * embedder's values (values.c). Everything here runs inside vm_call.
 */
#ifndef AIRLOCK_DRIVER_H
#define AIRLOCK_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "bridge/slot.h"

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

/* What became of a value operation handed to the guest. */
typedef enum driver_outcome {
    DRIVER_ANSWERED,      /* *text is its answer */
    DRIVER_NO_MEMORY,     /* the guest heap cannot hold the arguments */
    DRIVER_RAISED,        /* the driver raised: a limit stopping it, or a
                           * session from before value operations */
} driver_outcome;

/*
 * The guest's half of a value operation (values.c): op 's' sets global
 * `name` to the value encoded in data (codec.h, host to guest), 'g' reads
 * global `name`, 'r' the last execution's value. *text is a host copy of the
 * answer: "N" (set), "V" value (codec.h, guest to host), "U" (no such
 * global) or "E" type "\n" message; NULL when the answer was longer than
 * cap (*text_len then has its length) or unreadable.
 */
driver_outcome driver_value(airlock_vm *vm, char op, const char *name, const char *data, size_t len, size_t cap,
                  char **text, size_t *text_len);

#endif
