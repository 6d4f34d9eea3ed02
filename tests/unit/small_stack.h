/*
 * small_stack.h - run an execution on a thread with a 256 KiB stack, which
 * is the guest's stack too (a guest that has one of its own, the CPython
 * guest, does without it: runtime/trap.c), so that deep C recursion runs
 * out of native stack.
 */
#ifndef AIRLOCK_SMALL_STACK_H
#define AIRLOCK_SMALL_STACK_H

#include <pthread.h>

#include "runtime/vm.h" /* vm_guest_stack_set_size */
#include "testutil.h"

typedef struct threaded_run {
    airlock_sandbox *sb;
    const char *code;
    int rc;
} threaded_run;

static inline void *run_thread(void *arg) {
    threaded_run *t = arg;
    t->rc = run(t->sb, t->code);
    return NULL;
}

/* The run's status. */
static inline int run_on_small_stack(airlock_sandbox *sb, const char *code) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    threaded_run t = {sb, code, -1};
    pthread_t th;
    vm_guest_stack_set_size(0); /* for the thread's guest stack, made at its first call */
    ck_assert_int_eq(pthread_create(&th, &attr, run_thread, &t), 0);
    pthread_join(th, NULL);
    vm_guest_stack_set_size(VM_GUEST_STACK_BYTES);
    pthread_attr_destroy(&attr);
    return t.rc;
}

#endif
