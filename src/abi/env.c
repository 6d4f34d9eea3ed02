/*
 * env.c - heap growth, the clock and abort for every guest; the seeded
 * generator of deterministic mode.
 */
#include <time.h>

#include "abi/abi.h"
#include "runtime/vm.h"

#define WASM_PAGE 65536u

/*
 * malloc inside the guest asks for more memory here. Like Emscripten's own
 * loader we over-allocate a little (20%) to make growth amortised, but never
 * past the sandbox's memory limit; a refusal makes the guest's malloc fail,
 * which the guest turns into MemoryError.
 */
u32 Z_envZ_emscripten_resize_heap(struct Z_env_instance_t *env, u32 requested) {
    airlock_vm *vm = VM_OF(env);
    uint64_t old = vm->mem->size;
    if (requested <= old) return 1;
    uint64_t want = requested + old / 5;
    uint64_t max = (uint64_t)vm->mem->max_pages * WASM_PAGE;
    uint64_t cap = vm->mem_limit < max ? vm->mem_limit : max;
    if (want > cap) want = cap;
    if (want < requested) want = requested;
    uint64_t pages = (want + WASM_PAGE - 1) / WASM_PAGE;
    if (vm_memory_grow(vm, (uint32_t)(pages - old / WASM_PAGE)) >= 0) return 1;
    pages = ((uint64_t)requested + WASM_PAGE - 1) / WASM_PAGE;
    return vm_memory_grow(vm, (uint32_t)(pages - old / WASM_PAGE)) >= 0;
}

uint64_t abi_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The guest's time.sleep() (and asyncio's timers) wait by polling this clock
 * in a loop: a busy wait that burns a host core for the whole sleep. When
 * the guest reads the same millisecond many times in a row it can only be
 * polling, so the host sleeps a little before answering: the wait becomes a
 * real one, still ends on time (the guest keeps polling), and still meets
 * the deadline and interrupts (each poll passes the fuel check point).
 */
#define POLLS_BEFORE_WAITING 32
#define POLL_WAIT_NS 500000 /* 0.5 ms: well inside one tick */

void abi_clock_polled(airlock_vm *vm, uint32_t now_ms) {
    vm->ticks_polls = now_ms == vm->ticks_last ? vm->ticks_polls + 1 : 0;
    vm->ticks_last = now_ms;
    if (vm->ticks_polls >= POLLS_BEFORE_WAITING) {
        struct timespec pause = {0, POLL_WAIT_NS};
        nanosleep(&pause, NULL);
    }
}

/* splitmix64: small, fast, and good enough to seed a guest's generator. */
uint64_t abi_splitmix64(uint64_t *state) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void Z_envZ__abort_js(struct Z_env_instance_t *env) { vm_trap(VM_OF(env), VM_TRAP_ABORT); }
