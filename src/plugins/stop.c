/*
 * stop.c - what a long host call needs to know about the sandbox waiting
 * for it: whether it must stop (deadline, interrupt) and how long it has.
 *
 * The meter (runtime/meter.c) checks the deadline and airlock_sandbox_interrupt()
 * only while guest code runs; a host call blocks it, so a slow SQL query or
 * HTTP transfer would otherwise outlive --timeout. The plugins poll these
 * from their progress callbacks, which run on the sandbox's own thread.
 */
#include <stdio.h>
#include <string.h>

#include "abi/abi.h"
#include "plugins/builtin.h"
#include "vfs/vfs.h"

extern const vfs_embedded_tree airlock_host_py_tree;

airlock_vm *host_calling_vm(void) { return vm_current(); }

int host_stop_pending(void) {
    airlock_vm *vm = vm_current();
    if (!vm) return AIRLOCK_LIMIT_NONE;
    if (vm_interrupt_pending(vm)) return AIRLOCK_LIMIT_INTERRUPT;
    if (vm->deadline_ns && abi_monotonic_ns() >= vm->deadline_ns) return AIRLOCK_LIMIT_TIMEOUT;
    return AIRLOCK_LIMIT_NONE;
}

int airlock_call_should_stop(const airlock_call *call) {
    (void)call; /* the calling execution is this thread's */
    return host_stop_pending();
}

int64_t host_ms_left(void) {
    airlock_vm *vm = vm_current();
    if (!vm || !vm->deadline_ns) return -1;
    uint64_t now = abi_monotonic_ns();
    if (now >= vm->deadline_ns) return 1;
    /* rounded up: a wait this long ends at or after the deadline, so the
     * call that times out sees the stop (host_stop_pending) and the run ends
     * by its timeout, not by the exception the call raises */
    return (int64_t)((vm->deadline_ns - now + 999999u) / 1000000u);
}

const char *host_py_source(const char *file) {
    for (size_t i = 0; i < airlock_host_py_tree.count; i++)
        if (strcmp(airlock_host_py_tree.files[i].path, file) == 0)
            return (const char *)airlock_host_py_tree.files[i].data;
    return NULL;
}
