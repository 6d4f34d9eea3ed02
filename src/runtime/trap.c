/*
 * trap.c - entering the guest, and leaving it abruptly.
 *
 * Every call into guest code goes through vm_call(), which records a trap
 * target and the native stack floor. A trap (from generated code, from an
 * import, or from the fault handler in signals.c) jumps back to that target,
 * ending the guest call but never the process.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/vm.h"

/* The vm whose guest code this thread is running, for wasm_rt_trap() and the
 * fault handler, which receive no instance pointer. */
static _Thread_local airlock_vm *current_vm;

/* Native stack bounds of this thread, looked up once. */
static _Thread_local uintptr_t thread_stack_low;

/* Host code reached from the guest (imports, the collector, a fault
 * handler) runs below the guest's last frame; this much is kept for it. */
#define HOST_STACK_RESERVE (48u * 1024u)

static uintptr_t stack_floor(void) {
    if (thread_stack_low == 0) {
        pthread_attr_t attr;
        void *addr = NULL;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            pthread_attr_getstack(&attr, &addr, &size);
            pthread_attr_destroy(&attr);
        }
        /* Unknown bounds: assume a small stack below the current frame. */
        if (!addr) addr = (char *)__builtin_frame_address(0) - 128 * 1024;
        thread_stack_low = (uintptr_t)addr;
    }
    return thread_stack_low + HOST_STACK_RESERVE;
}

airlock_vm *vm_current(void) { return current_vm; }

int vm_call(airlock_vm *vm, vm_guest_fn fn, void *arg) {
    /* Saved across the sigsetjmp: a trap reloads them from memory. */
    airlock_vm *volatile outer = current_vm;
    volatile uintptr_t saved_limit = vm->stack_limit;
    volatile bool saved_in_guest = vm->in_guest;
    jmp_buf *volatile saved_unwind = vm->unwind_target;
    sigjmp_buf saved_env;
    bool nested = vm->in_guest;
    if (nested) __builtin_memcpy(&saved_env, &vm->trap_env, sizeof saved_env);

    int code = 0;
    if (sigsetjmp(vm->trap_env, 1) == 0) {
        vm->outer = outer;
        if (!nested) {
            vm->stack_limit = stack_floor();
            vm->stack_top = (uintptr_t)__builtin_frame_address(0);
        }
        vm->in_guest = true;
        current_vm = vm;
        fn(vm, arg);
    } else {
        code = vm->trap_code;
    }
    current_vm = outer;
    vm->in_guest = saved_in_guest;
    vm->stack_limit = saved_limit;
    vm->unwind_target = saved_unwind; /* a trap may leave a `try` of the abandoned call */
    if (nested) __builtin_memcpy(&vm->trap_env, &saved_env, sizeof saved_env);
    return code;
}

_Noreturn void vm_trap(airlock_vm *vm, int code) {
    vm->trap_code = code;
    siglongjmp(vm->trap_env, 1);
}

/* Called by generated code (division by zero, unreachable, stack...). */
_Noreturn void wasm_rt_trap(wasm_rt_trap_t code) {
    airlock_vm *vm = current_vm;
    if (!vm || !vm->in_guest) {
        /* Generated code only runs inside vm_call; reaching here is a bug
         * in airlock, not something a guest can cause. */
        fprintf(stderr, "airlock: trap %d outside any guest call\n", (int)code);
        abort();
    }
    vm_trap(vm, (int)code);
}

const char *vm_trap_message(int code) {
    switch (code) {
    case WASM_RT_TRAP_OOB: return "out-of-bounds memory access";
    case WASM_RT_TRAP_INT_OVERFLOW: return "integer overflow";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "integer division by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "invalid float-to-integer conversion";
    case WASM_RT_TRAP_UNREACHABLE: return "unreachable code executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "invalid indirect call";
    case WASM_RT_TRAP_EXHAUSTION: return "native stack exhausted (C-level recursion too deep)";
    case VM_TRAP_ABORT: return "the interpreter aborted";
    case VM_TRAP_LIMIT: return "stopped by a resource limit";
    case VM_TRAP_BAD_JUMP: return "longjmp without a matching setjmp";
    case VM_TRAP_BAD_CALL: return "call of a bad function table entry";
    case VM_TRAP_UNCAUGHT: return "uncaught WebAssembly exception";
    case VM_TRAP_NO_JS: return "the guest called JavaScript, which does not exist here";
    default: return "guest trap";
    }
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) { return vm_trap_message((int)trap); }
