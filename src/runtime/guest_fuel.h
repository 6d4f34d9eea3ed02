/*
 * guest_fuel.h - force-included into the wasm2c output (by guest_prologue.h,
 * and by tests/patch, which measures the metering's cost).
 *
 * The patch calls airlock.fuel_exhausted at about 1,560 check points, once
 * per 100,000 units at most. Declared cold, the compiler keeps that call and
 * its register saves off the hot path: on fib(20) the metering's extra
 * instructions fell from +11.5% to +6.4% of an unmetered build's (callgrind,
 * tests/patch/run.sh).
 */
#ifndef AIRLOCK_GUEST_FUEL_H
#define AIRLOCK_GUEST_FUEL_H

struct Z_airlock_instance_t;
void Z_airlockZ_fuel_exhausted(struct Z_airlock_instance_t *) __attribute__((cold));

#endif
