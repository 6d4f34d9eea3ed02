/*
 * guest_prologue.h - force-included into the wasm2c output.
 *
 * Every guest function starts with FUNC_PROLOGUE, which the build points at
 * AIRLOCK_FUNC_PROLOGUE: a check that the native stack has not gone below
 * the floor vm_call() computed for this thread. Deep C-level recursion in
 * the interpreter then ends in a trap instead of overflowing the host
 * thread's stack, whatever that stack's size. Reading the stack pointer
 * costs one instruction and needs no frame pointer; the floor is a field of
 * the vm, reached through the instance pointer every function receives.
 */
#ifndef AIRLOCK_GUEST_PROLOGUE_H
#define AIRLOCK_GUEST_PROLOGUE_H

#include <stdint.h>

#include "guest_fuel.h"

#if defined(__x86_64__)
#define AIRLOCK_SP(sp) __asm__("mov %%rsp, %0" : "=r"(sp))
#elif defined(__aarch64__)
#define AIRLOCK_SP(sp) __asm__("mov %0, sp" : "=r"(sp))
#else
#define AIRLOCK_SP(sp) ((sp) = (uintptr_t)__builtin_frame_address(0))
#endif

/* Offset of airlock_vm.stack_limit inside airlock_vm: the field right after
 * the MicroPython instance (vm.h asserts it). Expanded inside guest
 * functions, where the generated instance type is complete. */
#define AIRLOCK_VM_STACK_LIMIT_OFFSET \
    ((sizeof(Z_guest_instance_t) + _Alignof(uintptr_t) - 1) & ~(_Alignof(uintptr_t) - 1))
/* Distance from a guest function's instance pointer to the floor it checks.
 * The MicroPython instance starts airlock_vm; another guest whose vm embeds
 * airlock_vm after its own instance defines this before including us
 * (src/guests/cpython/prologue.h). */
#ifndef AIRLOCK_STACK_LIMIT_OFFSET
#define AIRLOCK_STACK_LIMIT_OFFSET AIRLOCK_VM_STACK_LIMIT_OFFSET
#endif
#define AIRLOCK_STACK_LIMIT(inst) \
    (*(const uintptr_t *)(const void *)((const char *)(inst) + AIRLOCK_STACK_LIMIT_OFFSET))

#define AIRLOCK_FUNC_PROLOGUE                                          \
    do {                                                               \
        uintptr_t airlock_sp_;                                         \
        AIRLOCK_SP(airlock_sp_);                                       \
        if (UNLIKELY(airlock_sp_ < AIRLOCK_STACK_LIMIT(instance)))     \
            TRAP(EXHAUSTION);                                          \
    } while (0)

/*
 * The memory descriptor a function's loads and stores use (the build points
 * them at AIRLOCK_MEMORY with a sed of the generated code, and appends
 * AIRLOCK_MEMORY_LOCAL(the instance's memory) to FUNC_PROLOGUE). wasm2c
 * passes &instance->memory to every access, and a store is a memcpy into
 * bytes, which may alias anything: the compiler reloads the memory's base
 * from the instance after every store. In guard-page mode an access reads
 * only the base, and the base never changes while a guest function runs
 * (memory.c grows memory in place inside its reservation, and memory is
 * mapped anew only between guest calls), so a function copies the
 * descriptor once into a local whose address nothing else has: fib(20),
 * 3.1% fewer instructions (docs/design.md, "Where a Python call's time
 * goes"). With explicit bounds checks an access reads the size too, which
 * memory.grow changes, so there it is the instance's own descriptor.
 */
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
#define AIRLOCK_MEMORY_LOCAL(mem)                  \
    wasm_rt_memory_t airlock_memory_copy_ = (mem); \
    wasm_rt_memory_t *const AIRLOCK_MEMORY = &airlock_memory_copy_
#else
#define AIRLOCK_MEMORY_LOCAL(mem) wasm_rt_memory_t *const AIRLOCK_MEMORY = &(mem)
#endif
#define AIRLOCK_MEMORY airlock_memory_

#endif
