/*
 * sandbox.h - the runtime and sandbox objects behind airlock.h (internal).
 */
#ifndef AIRLOCK_SANDBOX_H
#define AIRLOCK_SANDBOX_H

#include <pthread.h>

#include "airlock.h"
#include "runtime/vm.h"
#include "vfs/vfs.h"

struct airlock_runtime {
    airlock_limits limits;
    bool no_compat;              /* boot the bare guest (no guest/lib layer) */
    char *initial_cwd;           /* airlock_runtime_chdir(); NULL for "/" */
    pthread_mutex_t lock;        /* guards building the snapshot */
    char errmsg[512];

    /* The start-up snapshot (built by the first airlock_sandbox_new). */
    int snap_fd;                 /* sealed memfd with the linear memory */
    uint64_t snap_bytes;
    Z_guest_instance_t snap_inst;
    wasm_rt_funcref_t *snap_table;
    uint32_t snap_table_size;
    uint32_t slots;              /* guest address of two 12-byte value slots */
    uint32_t run_ref;            /* guest proxy reference of _airlock_run */
    uint64_t snap_id;            /* identifies the snapshot across processes
                                  * (the built-in one); 0: this process only */
    int pagemap_fd;              /* /proc/self/pagemap, opened with the
                                  * snapshot (before an OS sandbox); -1 */

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
};

/* Attach vm to the runtime with the given globals (see sandbox.c). */
int sandbox_attach_vm(airlock_runtime *rt, airlock_vm *vm, const Z_guest_instance_t *globals);
/* Give *out (the handle of a failed creation, or a new one if NULL) the
 * message of why a sandbox could not be created; returns code. */
int sandbox_create_failed(airlock_runtime *rt, airlock_sandbox **out, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Create a sandbox whose vm fill() prepares; see sandbox.c. */
int sandbox_create(airlock_runtime *rt, int (*fill)(airlock_runtime *, airlock_vm *, void *), void *arg,
                   airlock_sandbox **out);
/* Versioned structs (airlock.h): copy the caller's struct in, or ours out
 * to the caller's, by the caller's size; AIRLOCK_MISUSE for a bad one. */
int sized_copy_in(void *dst, size_t dst_size, const void *src, size_t v1_size);
int sized_copy_out(void *dst, const void *src, size_t src_size, size_t v1_size);
/* Check lim and make it sb's (message on sb). */
int sandbox_apply_limits(airlock_sandbox *sb, const airlock_limits *lim);
/* The limits in force for lim (defaults filled in). */
airlock_limits sandbox_limits(const airlock_limits *in);
/* The guest's filesystem: the grants (none while booting, with_grants
 * false: the boot is trusted code), and /lib. */
vfs *sandbox_new_vfs(const airlock_runtime *rt, bool with_grants);
/* Boot the interpreter once and freeze it (snapshot.c; caller holds
 * rt->lock). */
int snapshot_build(airlock_runtime *rt);
/* Free a vm and everything it owns. */
void vm_destroy(airlock_vm *vm);
/* Record a message on rt and return code. */
int runtime_fail(airlock_runtime *rt, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Record a message on sb and return code. */
int sandbox_fail(airlock_sandbox *sb, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Forget the outcome of the previous execution. */
void sandbox_clear_run(airlock_sandbox *sb);
/* Guest work on sb under its limits and interrupts (exec.c): begin, then
 * vm_call, then end with the trap code; end undoes the work after a trap
 * and returns its API code (message on sb), else AIRLOCK_OK. */
bool exec_guard_begin(airlock_sandbox *sb);
int exec_guard_end(airlock_sandbox *sb, int trap, bool undoing);
/* Make sb usable again after its guest trapped; returns the API code. */
int sandbox_recover(airlock_sandbox *sb, int trap);

#endif
