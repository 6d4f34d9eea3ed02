/*
 * abi.h - what the rest of airlock needs from the import layer.
 */
#ifndef AIRLOCK_ABI_H
#define AIRLOCK_ABI_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t abi_monotonic_ns(void);

struct airlock_vm;
/* The guest read the clock (milliseconds since its origin): if it has read
 * the same millisecond many times in a row it is busy-waiting, and this
 * pauses the host thread briefly instead of letting it spin (abi/env.c). */
void abi_clock_polled(struct airlock_vm *vm, uint32_t now_ms);

/* The next number of a splitmix64 generator (deterministic mode's). */
uint64_t abi_splitmix64(uint64_t *state);

#endif
