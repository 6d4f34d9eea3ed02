/*
 * builtin.h - what the built-in grant plugins share: sqlite3 (sqlite.c,
 * sqlite_exec.c), requests (net.c, net_curl.c), env (env.c).
 *
 * Each is an airlock_plugin like any other (one registry, one audit trail);
 * it is added to the registry by the first grant of its kind, with its
 * state (the grants, and for sqlite the open connections) hanging off the
 * registry so that the registry frees it and so that a sandbox's
 * connections can be closed when the sandbox is freed.
 */
#ifndef AIRLOCK_PLUGINS_BUILTIN_H
#define AIRLOCK_PLUGINS_BUILTIN_H

#include <stdbool.h>
#include <stdint.h>

#include "airlock_plugin.h"
#include "runtime/vm.h"

struct host_registry;

/* ---- the sandbox that is calling (stop.c) ------------------------------------
 * A host call runs on the thread of the sandbox that made it, while its
 * meter cannot tick: long host work (a query, a download) polls these so
 * that the sandbox's deadline and airlock_sandbox_interrupt() still stop it. */

/* AIRLOCK_LIMIT_TIMEOUT or AIRLOCK_LIMIT_INTERRUPT if the calling sandbox
 * must stop now, else AIRLOCK_LIMIT_NONE. */
int host_stop_pending(void);
/* Milliseconds before the calling sandbox's deadline, rounded up (at
 * least 1), or -1 when it has none. */
int64_t host_ms_left(void);
/* The calling sandbox (connections belong to it), or NULL outside a call. */
airlock_vm *host_calling_vm(void);

/* The Python source of a host module shipped in src/plugins/py/ (NULL if
 * absent): the embedded tree is NUL-terminated. */
const char *host_py_source(const char *file);

/* ---- what built-in plugins hook beyond airlock_plugin --------------------------
 * A built-in plugin whose state follows sandboxes and executions (sqlite3's
 * connections, cursors and transactions) registers hooks with its state,
 * and the registry calls them without knowing which plugin they belong to
 * (host.c, boot.c, rollback.c). Every hook may be NULL. */

typedef struct host_builtin_hooks {
    void (*vm_free)(void *state, const airlock_vm *vm);       /* the sandbox is freed */
    void (*exec_begin)(void *state, const airlock_vm *vm);    /* an execution of vm begins */
    void (*exec_rollback)(void *state, const airlock_vm *vm); /* it was rolled back */
    void (*free)(void *state);                                /* the runtime is freed, after every plugin */
} host_builtin_hooks;

#define HOST_MAX_BUILTINS 4
typedef struct host_builtin {
    const host_builtin_hooks *hooks;
    void *state;
} host_builtin;

/* The state registered with these hooks, or NULL. */
void *host_builtin_state(const struct host_registry *reg, const host_builtin_hooks *hooks);
/* Register state with its hooks (rt->lock held); false if the table is
 * full, when the caller still owns state. */
bool host_builtin_add(struct host_registry *reg, const host_builtin_hooks *hooks, void *state);

#endif
