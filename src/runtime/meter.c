/*
 * meter.c - fuel, deadlines and interrupts: the one check point.
 *
 * The build-time patch (guest/patch) keeps an i64 counter in the guest
 * instance and decrements it inline at every function entry and loop header;
 * when it goes negative the guest calls Z_airlockZ_fuel_exhausted. The host
 * hands out fuel in slices, so the same call is also where the wall-clock
 * deadline and airlock_sandbox_interrupt() are noticed, at most one slice late.
 *
 * Stopping is soft first: the guest gets a KeyboardInterrupt through
 * MicroPython's own pending-exception mechanism, so `finally` blocks run and
 * the session survives. If the guest is still running after a grace period
 * (it swallowed the exception, or it is inside a long C-level loop that
 * never checks for pending exceptions), the stop is hard: the guest call is
 * abandoned with a trap.
 */
#include "runtime/meter.h"

#include "abi/abi.h"
#include "guests/guest.h"

#define SLICE 100000u               /* fuel units between host checks */
#define GRACE_FUEL 20000000u        /* extra fuel after a soft stop */
#define GRACE_NS 100000000u         /* extra wall time after a soft stop */

static void refill(airlock_vm *vm) {
    uint64_t slice = vm->fuel_budget < SLICE ? vm->fuel_budget : SLICE;
    vm->fuel_budget -= slice;
    vm->fuel_slice = slice;
    vm->inst.w2c_airlock_fuel = slice;
}

void meter_begin(airlock_vm *vm) {
    if (vm->guest && vm->guest->meter_begin) {
        vm->guest->meter_begin(vm);
        return;
    }
    vm->fuel_used = 0;
    vm->fuel_budget = vm->limits.fuel ? vm->limits.fuel : UINT64_MAX;
    vm->stop_reason = AIRLOCK_LIMIT_NONE;
    vm->hard_stop = false;
    vm->grace_until_ns = 0;
    vm->deadline_ns = 0;
    if (vm->limits.timeout_seconds > 0)
        vm->deadline_ns = abi_monotonic_ns() + (uint64_t)(vm->limits.timeout_seconds * 1e9);
    /* Interrupt requests are not cleared here: one sent just before the
     * run stops it (vm.h). */
    vm->gc_work_left = 0; /* a collection a trap abandoned is over */
    refill(vm);
}

/* Fuel consumed in the current slice so far (the counter may be negative). */
static uint64_t slice_used(const airlock_vm *vm) {
    int64_t left = (int64_t)vm->inst.w2c_airlock_fuel;
    return (uint64_t)((int64_t)vm->fuel_slice - left);
}

uint64_t meter_fuel_used(const airlock_vm *vm) {
    if (vm->guest && vm->guest->fuel_used) return vm->guest->fuel_used(vm);
    return vm->fuel_used + slice_used(vm);
}

/* Which limit, if any, has been passed. */
static int limit_passed(airlock_vm *vm, uint64_t now) {
    if (vm_interrupt_pending(vm)) return AIRLOCK_LIMIT_INTERRUPT;
    if (vm->deadline_ns && now >= vm->deadline_ns) return AIRLOCK_LIMIT_TIMEOUT;
    if (vm->fuel_budget == 0) return AIRLOCK_LIMIT_FUEL;
    return AIRLOCK_LIMIT_NONE;
}

void meter_soft_stop(airlock_vm *vm, int reason) {
    vm_interrupts_absorb(vm);
    if (vm->stop_reason) return;
    vm->stop_reason = reason;
    vm->grace_until_ns = abi_monotonic_ns() + GRACE_NS;
    vm->fuel_budget = GRACE_FUEL;
    Z_guestZ_mp_sched_keyboard_interrupt(&vm->inst);
}

/*
 * A slice of a garbage collection ran out (gc.c). Nothing is charged, but a
 * stop that is due still happens (the grace period is counted in time only,
 * the collection having no fuel of the run's to spend), and a collection
 * past its work cap is walking a corrupt heap: it traps.
 */
static void gc_slice_exhausted(airlock_vm *vm) {
    uint64_t used = (uint64_t)((int64_t)AIRLOCK_GC_SLICE - (int64_t)vm->inst.w2c_airlock_fuel);
    if (used >= vm->gc_work_left) {
        vm->gc_work_left = 0;
        vm_trap(vm, WASM_RT_TRAP_OOB);
    }
    vm->gc_work_left -= used;
    uint64_t now = abi_monotonic_ns();
    if (vm->stop_reason && now >= vm->grace_until_ns) {
        vm->hard_stop = true;
        vm_trap(vm, VM_TRAP_LIMIT);
    }
    if (vm_interrupt_pending(vm)) meter_soft_stop(vm, AIRLOCK_LIMIT_INTERRUPT);
    if (!vm->stop_reason && vm->deadline_ns && now >= vm->deadline_ns) meter_soft_stop(vm, AIRLOCK_LIMIT_TIMEOUT);
    vm->inst.w2c_airlock_fuel = AIRLOCK_GC_SLICE;
}

void Z_airlockZ_fuel_exhausted(struct Z_airlock_instance_t *self) {
    airlock_vm *vm = VM_OF(self);
    if (vm->gc_work_left) {
        gc_slice_exhausted(vm);
        return;
    }
    vm->fuel_used += slice_used(vm);
    uint64_t now = abi_monotonic_ns();
    if (vm->stop_reason) {
        /* Already asked to stop: allow the grace period, then no more.
         * Interrupts sent meanwhile ask for this same stop. */
        vm_interrupts_absorb(vm);
        if (vm->fuel_budget == 0 || now >= vm->grace_until_ns) {
            vm->hard_stop = true;
            vm_trap(vm, VM_TRAP_LIMIT);
        }
    } else {
        int reason = limit_passed(vm, now);
        if (reason) meter_soft_stop(vm, reason);
    }
    refill(vm);
}
