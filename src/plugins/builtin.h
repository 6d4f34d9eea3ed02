/*
 * builtin.h - the built-in grant plugins beyond env: sqlite3 (sqlite.c,
 * sqlite_exec.c) and requests (net.c, net_curl.c), and what they share.
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
/* Milliseconds before the calling sandbox's deadline (at least 1), or -1
 * when it has none. */
int64_t host_ms_left(void);
/* The calling sandbox (connections belong to it), or NULL outside a call. */
airlock_vm *host_calling_vm(void);

/* The Python source of a host module shipped in src/plugins/py/ (NULL if
 * absent): the embedded tree is NUL-terminated. */
const char *host_py_source(const char *file);

/* ---- sqlite3 (sqlite.c) ------------------------------------------------------- */

typedef struct host_sqlite host_sqlite;
/* Close the connections vm opened (the sandbox is being freed). */
void host_sqlite_vm_free(host_sqlite *s, const airlock_vm *vm);
/* vm's execution begins: note its connections, cursors and transactions. */
void host_sqlite_exec_begin(host_sqlite *s, const airlock_vm *vm);
/* It was rolled back: close the connections it opened, finalize the
 * cursors it made and roll back a transaction it began. */
void host_sqlite_exec_rollback(host_sqlite *s, const airlock_vm *vm);
void host_sqlite_free(host_sqlite *s);

/* ---- requests (net.c) ----------------------------------------------------------- */

typedef struct host_net host_net;
void host_net_free(host_net *n);

#endif
