/*
 * abi.h - what the rest of airlock needs from the import layer.
 */
#ifndef AIRLOCK_ABI_H
#define AIRLOCK_ABI_H

#include <stdint.h>

/* Register the signatures invoke_* checks against (once per process). */
void abi_invoke_init(void);
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t abi_monotonic_ns(void);

#endif
