/*
 * trap.c - entering the guest, and leaving it abruptly.
 *
 * Every call into guest code goes through vm_call(), which records a trap
 * target and the native stack floor. A trap (from generated code, from an
 * import, or from the fault handler in signals.c) jumps back to that target,
 * ending the guest call but never the process.
 *
 * A vm with own_stack (the CPython guest) runs on a stack of this thread's
 * own, VM_GUEST_STACK_BYTES big, switched to with swapcontext: its C code
 * recurses much deeper per Python level than MicroPython's, and CPython's
 * recursion guards measure only the wasm shadow stack, so on an embedder's
 * 8 MiB (or 256 KiB) stack deep recursion through C would end in the stack
 * trap instead of RecursionError. Traps jump within that stack only: the
 * trap target is set on it, by the call it serves.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "runtime/vm.h"

/* The vm whose guest code this thread is running, for wasm_rt_trap() and the
 * fault handler, which receive no instance pointer. */
static _Thread_local airlock_vm *current_vm;

/* Native stack bounds of this thread, looked up once. */
static _Thread_local uintptr_t thread_stack_low;

/* Host code reached from the guest (imports, the collector, a fault
 * handler) runs below the guest's last frame; this much is kept for it. */
#define HOST_STACK_RESERVE (48u * 1024u)

/* AddressSanitizer would need every switch announced (and clears the shadow
 * of the whole stack on each): a sanitizer build runs on the caller's
 * stack, with the stack trap where that runs out. */
#if defined(__SANITIZE_ADDRESS__)
#define GUEST_STACK 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GUEST_STACK 0
#endif
#endif
#ifndef GUEST_STACK
#define GUEST_STACK 1
#endif

#if GUEST_STACK
/* The guest stack of one thread: its mapping (an inaccessible guard page at
 * the low end, the rest committed as touched) and a context that serves one
 * guest call per switch (serve()). */
typedef struct guest_stack {
    uint8_t *map;
    size_t map_size, guard;
    ucontext_t guest, caller;
    airlock_vm *vm; /* the call to serve, and its result */
    vm_guest_fn fn;
    void *arg;
    int code;
} guest_stack;

static atomic_size_t guest_stack_bytes = VM_GUEST_STACK_BYTES;
static _Thread_local guest_stack *thread_guest_stack;
/* This thread is running on its guest stack (a nested call stays there). */
static _Thread_local bool on_guest_stack;

/* What stays committed between calls; below it, pages a deep call touched
 * go back to the system (madvise) when the outermost call returns. */
#define GUEST_STACK_KEEP ((size_t)1 << 20)
#endif

static uintptr_t stack_floor(void) {
#if GUEST_STACK
    if (on_guest_stack) {
        guest_stack *gs = thread_guest_stack;
        return (uintptr_t)gs->map + gs->guard + HOST_STACK_RESERVE;
    }
#endif
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

/* vm_call on the stack this thread is on. */
static int call_here(airlock_vm *vm, vm_guest_fn fn, void *arg) {
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

#if GUEST_STACK

/* The guest context: one call per switch to it, then back to the caller. */
static void serve(void) {
    guest_stack *gs = thread_guest_stack;
    for (;;) {
        gs->code = call_here(gs->vm, gs->fn, gs->arg);
        swapcontext(&gs->guest, &gs->caller);
    }
}

static pthread_key_t guest_stack_key;
static pthread_once_t guest_stack_once = PTHREAD_ONCE_INIT;

/* At thread exit: the context is idle in serve(), nothing returns to it. */
static void guest_stack_free(void *p) {
    guest_stack *gs = p;
    munmap(gs->map, gs->map_size);
    free(gs);
}

static void guest_stack_key_make(void) {
    if (pthread_key_create(&guest_stack_key, guest_stack_free) != 0) guest_stack_key = (pthread_key_t)-1;
}

/* This thread's guest stack, made on first use; NULL if it cannot be. */
static guest_stack *guest_stack_get(void) {
    if (thread_guest_stack) return thread_guest_stack;
    pthread_once(&guest_stack_once, guest_stack_key_make);
    size_t bytes = atomic_load(&guest_stack_bytes);
    /* Too small to hold the host's reserve and any guest frame: none. */
    if (guest_stack_key == (pthread_key_t)-1 || bytes < 2 * HOST_STACK_RESERVE) return NULL;
    guest_stack *gs = calloc(1, sizeof *gs);
    if (!gs) return NULL;
    gs->guard = (size_t)sysconf(_SC_PAGESIZE);
    gs->map_size = (bytes + gs->guard - 1) / gs->guard * gs->guard + gs->guard;
    gs->map = mmap(NULL, gs->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                   -1, 0);
    if (gs->map == MAP_FAILED || mprotect(gs->map, gs->guard, PROT_NONE) != 0 || getcontext(&gs->guest) != 0) {
        if (gs->map != MAP_FAILED) munmap(gs->map, gs->map_size);
        free(gs);
        return NULL;
    }
    gs->guest.uc_stack.ss_sp = gs->map + gs->guard;
    gs->guest.uc_stack.ss_size = gs->map_size - gs->guard;
    gs->guest.uc_link = NULL; /* serve() never returns */
    makecontext(&gs->guest, serve, 0);
    if (pthread_setspecific(guest_stack_key, gs) != 0) {
        guest_stack_free(gs);
        return NULL;
    }
    return thread_guest_stack = gs;
}

/* Give back what a deep call committed, above the guard. */
static void guest_stack_trim(guest_stack *gs) {
    size_t size = gs->map_size - gs->guard;
    if (size > GUEST_STACK_KEEP) madvise(gs->map + gs->guard, size - GUEST_STACK_KEEP, MADV_DONTNEED);
}

int vm_call(airlock_vm *vm, vm_guest_fn fn, void *arg) {
    guest_stack *gs = vm->own_stack && !on_guest_stack ? guest_stack_get() : NULL;
    /* Already on the guest stack (nested), or no guest stack to be had:
     * the stack check still bounds the call, on the stack it is on. */
    if (!gs) return call_here(vm, fn, arg);
    gs->vm = vm;
    gs->fn = fn;
    gs->arg = arg;
    on_guest_stack = true;
    swapcontext(&gs->caller, &gs->guest);
    on_guest_stack = false;
    guest_stack_trim(gs);
    return gs->code;
}

void vm_guest_stack_set_size(size_t bytes) { atomic_store(&guest_stack_bytes, bytes); }

#else

int vm_call(airlock_vm *vm, vm_guest_fn fn, void *arg) { return call_here(vm, fn, arg); }

void vm_guest_stack_set_size(size_t bytes) { (void)bytes; }

#endif

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
