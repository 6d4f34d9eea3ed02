/*
 * meter.c - fuel, deadlines and interrupts: the one check point, the same
 * for every guest.
 *
 * The build-time fuel pass (guest/patch) keeps an i64 counter among the
 * guest instance's globals and decrements it inline at every function entry
 * and loop header; when it goes negative the guest's fuel_exhausted import
 * calls meter_exhausted. The host hands out fuel in slices, so the same
 * call is also where the wall-clock deadline and airlock_sandbox_interrupt()
 * are noticed, at most one slice late. Where the counter is, the size of a
 * slice, the grace and how the guest is asked to stop are the guest's
 * (guest.h: guest_meter); the rest is here.
 *
 * Stopping is soft first: the guest is asked to raise KeyboardInterrupt,
 * so `finally` blocks run and the session survives. If the guest is still
 * running after a grace period (it swallowed the exception, or it is inside
 * a long C-level loop that never checks for pending exceptions), the stop
 * is hard: the guest call is abandoned with a trap.
 */
#include "runtime/meter.h"

#include "abi/abi.h"
#include "guests/guest.h"

/* The guest's fuel counter: loads, no call, on the way of every slice. */
static inline uint64_t *counter(const airlock_vm *vm) {
    return (uint64_t *)(void *)((char *)vm + vm->guest->meter->counter);
}

static void refill(airlock_vm *vm) {
    uint64_t max = vm->guest->meter->slice;
    uint64_t slice = vm->fuel_budget < max ? vm->fuel_budget : max;
    vm->fuel_budget -= slice;
    vm->fuel_slice = slice;
    *counter(vm) = slice;
}

void meter_begin(airlock_vm *vm) {
    vm->fuel_used = 0;
    vm->fuel_budget = vm->limits.fuel ? vm->limits.fuel : UINT64_MAX;
    vm->stop_reason = AIRLOCK_LIMIT_NONE;
    vm->soft_stops = 0;
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
    return (uint64_t)((int64_t)vm->fuel_slice - (int64_t)*counter(vm));
}

uint64_t meter_fuel_used(const airlock_vm *vm) { return vm->fuel_used + slice_used(vm); }

/* Interrupts sent during a stop ask for that same stop. */
static _Noreturn void hard_stop(airlock_vm *vm) {
    vm_interrupts_absorb(vm);
    vm->hard_stop = true;
    vm_trap(vm, VM_TRAP_LIMIT);
}

static void soft_stop(airlock_vm *vm, int reason, uint64_t now) {
    const guest_meter *m = vm->guest->meter;
    vm_interrupts_absorb(vm);
    vm->stop_reason = reason;
    vm->grace_until_ns = now + m->grace_ns;
    if (reason == AIRLOCK_LIMIT_FUEL || m->grace_fuel_every_stop) vm->fuel_budget = m->grace_fuel;
    m->soft_stop(vm);
}

void meter_soft_stop(airlock_vm *vm, int reason) {
    vm_interrupts_absorb(vm);
    if (!vm->stop_reason) soft_stop(vm, reason, abi_monotonic_ns());
}

/* Which limit, if any, has been passed (fuel: whether the end of the
 * budget counts). */
static int limit_passed(airlock_vm *vm, uint64_t now, bool fuel) {
    if (vm_interrupt_pending(vm)) return AIRLOCK_LIMIT_INTERRUPT;
    if (vm->deadline_ns && now >= vm->deadline_ns) return AIRLOCK_LIMIT_TIMEOUT;
    if (fuel && vm->fuel_budget == 0) return AIRLOCK_LIMIT_FUEL;
    return AIRLOCK_LIMIT_NONE;
}

/* A stop under way allows the grace period, then no more; otherwise a
 * limit passed begins one. */
static void check(airlock_vm *vm, uint64_t now, bool fuel) {
    if (vm->stop_reason) {
        vm_interrupts_absorb(vm);
        if (now >= vm->grace_until_ns) hard_stop(vm);
        return;
    }
    int reason = limit_passed(vm, now, fuel);
    if (reason) soft_stop(vm, reason, now);
}

void meter_check(airlock_vm *vm, uint64_t now) { check(vm, now, true); }

/*
 * A slice of a garbage collection ran out (MicroPython's gc.c). Nothing is
 * charged, but a stop that is due still happens (the grace period is
 * counted in time only, the collection having no fuel of the run's to
 * spend), and a collection past its work cap is walking a corrupt heap: it
 * traps.
 */
static void gc_slice_exhausted(airlock_vm *vm) {
    uint64_t used = (uint64_t)((int64_t)AIRLOCK_GC_SLICE - (int64_t)*counter(vm));
    if (used >= vm->gc_work_left) {
        vm->gc_work_left = 0;
        vm_trap(vm, WASM_RT_TRAP_OOB);
    }
    vm->gc_work_left -= used;
    check(vm, abi_monotonic_ns(), false);
    *counter(vm) = AIRLOCK_GC_SLICE;
}

void meter_exhausted(airlock_vm *vm) {
    if (vm->gc_work_left) {
        gc_slice_exhausted(vm);
        return;
    }
    vm->fuel_used += slice_used(vm);
    if (vm->stop_reason && vm->fuel_budget == 0) hard_stop(vm); /* the grace's fuel is spent too */
    check(vm, abi_monotonic_ns(), true);
    refill(vm);
}
