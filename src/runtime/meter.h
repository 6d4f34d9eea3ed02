/*
 * meter.h - fuel, deadline and interrupt accounting of one execution, for
 * every guest (guest.h: guest_meter says what differs).
 */
#ifndef AIRLOCK_METER_H
#define AIRLOCK_METER_H

#include "runtime/vm.h"

/* Fuel slice of a garbage collection (MicroPython's gc.c): not charged to
 * the run, see meter.c. */
#define AIRLOCK_GC_SLICE 1000000

/* Start metering an execution with vm->limits. */
void meter_begin(airlock_vm *vm);
/* Fuel consumed since meter_begin. */
uint64_t meter_fuel_used(const airlock_vm *vm);
/* The guest's fuel counter went below zero: charge the slice, check the
 * limits, hand out the next slice (every guest's fuel_exhausted import). */
void meter_exhausted(airlock_vm *vm) __attribute__((cold));
/* A check point between slices (a guest's clock, a wait): the limits as
 * meter_exhausted checks them, with now from abi_monotonic_ns(). */
void meter_check(airlock_vm *vm, uint64_t now);
/* Ask the guest to stop (KeyboardInterrupt), recording why; a hard stop
 * follows if it keeps running past the grace period. */
void meter_soft_stop(airlock_vm *vm, int reason);

#endif
