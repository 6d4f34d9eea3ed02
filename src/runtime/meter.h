/*
 * meter.h - fuel, deadline and interrupt accounting of one execution.
 */
#ifndef AIRLOCK_METER_H
#define AIRLOCK_METER_H

#include "runtime/vm.h"

/* Fuel slice of a garbage collection (gc.c): not charged to the run, see
 * Z_airlockZ_fuel_exhausted. */
#define AIRLOCK_GC_SLICE 1000000

/* Start metering an execution with vm->limits. */
void meter_begin(airlock_vm *vm);
/* Fuel consumed since meter_begin. */
uint64_t meter_fuel_used(const airlock_vm *vm);
/* Ask the guest to stop (KeyboardInterrupt), recording why; a hard stop
 * follows if it keeps running past the grace period. */
void meter_soft_stop(airlock_vm *vm, int reason);

#endif
