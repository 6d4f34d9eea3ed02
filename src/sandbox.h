/*
 * sandbox.h - the runtime and sandbox objects behind airlock.h (internal).
 */
#ifndef AIRLOCK_SANDBOX_H
#define AIRLOCK_SANDBOX_H

#include <pthread.h>

#include "airlock.h"
#include "guests/guest.h"
#include "plugins/runtime.h"
#include "runtime/vm.h"
#include "vfs/vfs.h"

struct airlock_runtime {
    const guest_ops *guest;      /* airlock_runtime_set_guest(); MicroPython by default */
    airlock_limits limits;
    bool no_compat;              /* boot the bare guest (no compatibility layer) */
    char *initial_cwd;           /* airlock_runtime_chdir(); NULL for "/" */
    pthread_mutex_t lock;        /* guards booting */
    char errmsg[512];

    /* The guest's start-up state, made by the first airlock_sandbox_new
     * (guest->boot). From then on the guest, the grants and the plugins
     * are frozen. */
    bool booted;
    void *guest_state;           /* the guest's own (guest->runtime_free frees it) */
    uint64_t boot_memory;        /* bytes of memory the booted interpreter holds */

    /* Granted mounts every sandbox's vfs is cloned from (grants.c). */
    struct vfs *grants;

    /* Host functions, plugins, env, determinism, audit (plugins/host.c). */
    struct host_registry *host;
};

struct airlock_sandbox {
    airlock_runtime *rt;
    airlock_vm *vm;              /* NULL: the handle only says why creation failed */
    vm_interrupts interrupts;    /* airlock_sandbox_interrupt(); outlives every vm */
    void *userdata;              /* airlock_sandbox_set_userdata() */
    char errmsg[512];

    /* Outcome of the last execution. */
    char *result;
    size_t result_len;
    char *err_type, *err_message, *err_traceback;
    int exit_code;
    airlock_limit_kind limit;
    airlock_stats stats;
    bool no_rollback;            /* the execution running has AIRLOCK_EXEC_NO_ROLLBACK */
};

/* Give *out (the handle of a failed creation, or a new one if NULL) the
 * message of why a sandbox could not be created; returns code. */
int sandbox_create_failed(airlock_runtime *rt, airlock_sandbox **out, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Makes a sandbox's vm (fresh, cloned, loaded): an AIRLOCK_* code, with a
 * message in err when it has one. */
typedef int (*sandbox_make_fn)(airlock_runtime *rt, void *arg, airlock_vm **vm, char *err, size_t errsize);
/* Create a sandbox around the vm make() returns, with the runtime's
 * limits; boots the runtime first if no sandbox did. */
int sandbox_create(airlock_runtime *rt, sandbox_make_fn make, void *arg, airlock_sandbox **out);
/* Versioned structs (airlock.h): copy the caller's struct in, or ours out
 * to the caller's, by the caller's size; AIRLOCK_MISUSE for a bad one. */
int sized_copy_in(void *dst, size_t dst_size, const void *src, size_t v1_size);
int sized_copy_out(void *dst, const void *src, size_t src_size, size_t v1_size);
/* Check lim and make it sb's (message on sb). */
int sandbox_apply_limits(airlock_sandbox *sb, const airlock_limits *lim);
/* The limits in force for lim (defaults filled in). */
airlock_limits sandbox_limits(const airlock_limits *in);
/* Free a vm and everything it owns (its guest's part last). */
void vm_destroy(airlock_vm *vm);
/* Record a message on sb and return code. */
int sandbox_fail(airlock_sandbox *sb, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Forget the outcome of the previous execution. */
void sandbox_clear_run(airlock_sandbox *sb);
/* Guest work on sb under its limits and interrupts (exec.c): begin, then
 * vm_call, then end with the trap code; end undoes the work after a trap
 * (if rollback: else the sandbox is made fresh) and returns its API code
 * (message on sb), else AIRLOCK_OK. */
bool exec_guard_begin(airlock_sandbox *sb, bool rollback);
int exec_guard_end(airlock_sandbox *sb, int trap, bool undoing);
/* Make sb usable again after its guest trapped; returns the API code. */
int sandbox_recover(airlock_sandbox *sb, int trap);

#endif
