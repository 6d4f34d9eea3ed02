/*
 * prologue.h - force-included into the CPython guest's generated C.
 *
 * The same native-stack check as the MicroPython guest's
 * (runtime/guest_prologue.h), at this guest's offset: a cpython_vm
 * (cpython_vm.h) is the CPython instance, then the guest-neutral airlock_vm
 * aligned to CPYTHON_VM_ALIGN. airlock_vm still begins with the MicroPython
 * instance (runtime/vm.h), whose size therefore enters the offset;
 * cpython_vm.h asserts the result.
 */
#ifndef AIRLOCK_CPYTHON_PROLOGUE_H
#define AIRLOCK_CPYTHON_PROLOGUE_H

#include "guest.h" /* the MicroPython instance type (sizeof only) */

#define CPYTHON_VM_ALIGN 64
#define CPYTHON_STACK_LIMIT_OFFSET                                                           \
    (((sizeof(Z_cpython_instance_t) + CPYTHON_VM_ALIGN - 1) & ~(size_t)(CPYTHON_VM_ALIGN - 1)) + \
     AIRLOCK_VM_STACK_LIMIT_OFFSET)

/* In the generated code this header comes first; host code that included
 * runtime/vm.h before it keeps vm.h's meaning (cpython_vm.h asserts ours). */
#ifndef AIRLOCK_STACK_LIMIT_OFFSET
#define AIRLOCK_STACK_LIMIT_OFFSET CPYTHON_STACK_LIMIT_OFFSET
#endif

#include "runtime/guest_prologue.h"

#endif
