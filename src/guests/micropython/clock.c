/*
 * clock.c - the MicroPython port's clocks and random source (its mp_js_*
 * imports): time.ticks_ms, time.time and the seed of `random`.
 */
#include <sys/random.h>
#include <time.h>

#include "abi/abi.h"
#include "runtime/vm.h"

/* Deterministic mode: both clocks read one counter that advances 1 ms per
 * reading, so busy-waits (time.sleep) still end and nothing depends on the
 * machine's speed; wall time starts at 2024-01-01T00:00:00Z. */
#define DETERMINISTIC_EPOCH_MS 1704067200000.0

u32 Z_envZ_mp_js_ticks_ms(struct Z_env_instance_t *env) {
    airlock_vm *vm = VM_OF(env);
    if (vm->deterministic) return (u32)vm->det_ms++;
    u32 now = (u32)((abi_monotonic_ns() - vm->ticks_origin_ns) / 1000000u);
    abi_clock_polled(vm, now);
    return now;
}

f64 Z_envZ_mp_js_time_ms(struct Z_env_instance_t *env) {
    airlock_vm *vm = VM_OF(env);
    if (vm->deterministic) return DETERMINISTIC_EPOCH_MS + (f64)vm->det_ms++;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (f64)ts.tv_sec * 1000.0 + (f64)(ts.tv_nsec / 1000000);
}

u32 Z_envZ_mp_js_random_u32(struct Z_env_instance_t *env) {
    airlock_vm *vm = VM_OF(env);
    vm->random_draws++;
    if (vm->deterministic) return (u32)(abi_splitmix64(&vm->rng_state) >> 32);
    u32 value = 0;
    /* getrandom(2) of 4 bytes never blocks once the pool is initialised and
     * is never interrupted for requests this small. */
    if (getrandom(&value, sizeof value, 0) != (ssize_t)sizeof value) value = (u32)abi_monotonic_ns();
    return value;
}
