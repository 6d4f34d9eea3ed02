/*
 * signals.c - turning faults in guest memory into traps, and nothing else.
 *
 * In guard-page mode a guest access past the end of its memory touches the
 * PROT_NONE part of its reservation and the kernel raises SIGSEGV (or
 * SIGBUS). The handler claims a fault only when this thread is running guest
 * code and the faulting address lies inside that guest's reservation; every
 * other fault goes to the handler the host had installed before us, or to the
 * default action, exactly as if airlock were not there.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "runtime/undo.h"
#include "runtime/vm.h"

#if WASM_RT_MEMCHECK_SIGNAL_HANDLER

static struct sigaction previous_segv, previous_bus;
static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static bool fault_is_ours(airlock_vm *vm, const siginfo_t *info) {
    if (!vm || !vm->in_guest || !vm->mem_base) return false;
    uintptr_t addr = (uintptr_t)info->si_addr;
    uintptr_t base = (uintptr_t)vm->mem_base;
    return addr >= base && addr - base < vm->mem_reserved;
}

static void pass_on(int sig, siginfo_t *info, void *ctx, const struct sigaction *prev) {
    if (prev->sa_flags & SA_SIGINFO) {
        prev->sa_sigaction(sig, info, ctx);
        return;
    }
    if (prev->sa_handler != SIG_DFL && prev->sa_handler != SIG_IGN) {
        prev->sa_handler(sig);
        return;
    }
    /* Default action: restore it and return; the faulting instruction runs
     * again and the kernel applies the default (a core dump). A fault cannot
     * be ignored, so SIG_IGN is treated the same way. */
    signal(sig, SIG_DFL);
}

static void on_fault(int sig, siginfo_t *info, void *ctx) {
    airlock_vm *vm = vm_current();
    /* A first write to a page the undo log protects: saved, now writable;
     * returning retries the write. Checked before in_guest because host
     * code also writes guest memory on the guest's behalf. */
    if (sig == SIGSEGV && undo_on_fault(vm, info)) return;
    if (fault_is_ours(vm, info)) vm_trap(vm, WASM_RT_TRAP_OOB);
    pass_on(sig, info, ctx, sig == SIGBUS ? &previous_bus : &previous_segv);
}

static void install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &previous_segv);
    sigaction(SIGBUS, &sa, &previous_bus);
}

void vm_signals_install(void) { pthread_once(&install_once, install); }

#else /* explicit bounds checks: no handler at all */

void vm_signals_install(void) {}

#endif
