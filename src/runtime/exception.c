/*
 * exception.c - WebAssembly exceptions (wasm2c --enable-exceptions) for a
 * guest that throws them; the CPython guest does (setjmp/longjmp and C++).
 *
 * wasm2c 1.0.32 compiles `try` to a setjmp whose buffer it registers with
 * wasm_rt_set_unwind_target(), and `throw` to wasm_rt_load_exception() +
 * wasm_rt_throw(), which longjmps to the innermost target; the catch code
 * reads the tag and payload back. None of these calls receives an instance,
 * and wabt's reference runtime keeps this state in process globals; here it
 * lives in the vm this thread is running (vm_current()), so sandboxes on
 * other threads never see each other's exceptions. vm_call() saves and
 * restores the unwind target, so a trap out of a `try` leaves no stale one.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/vm.h"

/* wasm_rt_try() is sigsetjmp(, 1) in guard-page mode, setjmp otherwise
 * (wasm-rt.h); the jump back must match. */
#if WASM_RT_MEMCHECK_SIGNAL_HANDLER
#define UNWIND(target) siglongjmp(target, 1)
#else
#define UNWIND(target) longjmp(target, 1)
#endif

/* Tags are told apart by identity only; ids start at 1. */
static uint32_t tag_count;
static pthread_mutex_t tag_lock = PTHREAD_MUTEX_INITIALIZER;

uint32_t wasm_rt_register_tag(uint32_t size) {
    if (size > VM_EXCEPTION_MAX) abort(); /* build-time fact: no such tag in our guests */
    pthread_mutex_lock(&tag_lock);
    uint32_t id = ++tag_count;
    pthread_mutex_unlock(&tag_lock);
    return id;
}

/* Generated code only runs inside vm_call, so there is a current vm. */
static airlock_vm *running_vm(void) {
    airlock_vm *vm = vm_current();
    if (!vm) abort(); /* an airlock bug, not something a guest can cause */
    return vm;
}

void wasm_rt_load_exception(uint32_t tag, uint32_t size, const void *values) {
    airlock_vm *vm = running_vm();
    if (size > VM_EXCEPTION_MAX) vm_trap(vm, VM_TRAP_UNCAUGHT);
    vm->exc_tag = tag;
    vm->exc_size = size;
    if (size) memcpy(vm->exc_value, values, size);
}

_Noreturn void wasm_rt_throw(void) {
    airlock_vm *vm = running_vm();
    if (!vm->unwind_target) vm_trap(vm, VM_TRAP_UNCAUGHT);
    UNWIND(*vm->unwind_target);
}

WASM_RT_UNWIND_TARGET *wasm_rt_get_unwind_target(void) { return running_vm()->unwind_target; }

void wasm_rt_set_unwind_target(WASM_RT_UNWIND_TARGET *target) { running_vm()->unwind_target = target; }

uint32_t wasm_rt_exception_tag(void) { return running_vm()->exc_tag; }

uint32_t wasm_rt_exception_size(void) { return running_vm()->exc_size; }

void *wasm_rt_exception(void) { return running_vm()->exc_value; }
