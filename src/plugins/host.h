/*
 * host.h - host functions and plugins inside airlock (internal).
 *
 * A runtime's registry lists every host function the guest may call, each
 * with a number (fid) and the plugin it belongs to. When the start-up
 * snapshot is built, host.c writes one guest module per registered module
 * (a def per function that calls _airlock_host._call with its fid, then the
 * plugin's own Python) and imports them all; from then on the registry is
 * frozen. call.c serves each call, whichever way the guest sends it
 * (MicroPython's js bridge, guests/micropython/host.c; the host-call
 * device, device.c).
 */
#ifndef AIRLOCK_PLUGINS_HOST_H
#define AIRLOCK_PLUGINS_HOST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "airlock_plugin.h"
#include "plugins/builtin.h"
#include "plugins/codec.h"
#include "runtime/vm.h"
#include "vfs/vfs.h"

typedef struct host_plugin {
    char *name;
    char *origin;                 /* "built-in", "embedding program" or the .so path */
    char *options;
    const airlock_plugin *def;    /* NULL for functions registered one by one */
    void *state;                  /* from def->init: every call's userdata */
    void *dl;                     /* dlopen handle */
} host_plugin;

typedef struct host_fn {
    char *module, *name;
    airlock_host_fn fn;
    void *userdata;
    host_plugin *plugin;
} host_fn;

typedef struct host_module {
    char *name;
    const char *python;           /* the plugin's wrapper source, or NULL */
    host_plugin *plugin;
} host_module;

/* The module sources written at boot (boot.c). */
typedef struct host_boot_tree {
    vfs_embedded_file *files;
    size_t count;
    vfs_embedded_tree tree;
} host_boot_tree;
void host_boot_tree_free(host_boot_tree *t);

typedef struct host_registry {
    host_plugin **plugins;
    size_t nplugins;
    host_fn *fns;
    size_t nfns;
    host_module *modules;
    size_t nmodules;

    airlock_call_limits limits;
    uint32_t fingerprint;         /* of the function list: a session made with another list is refused */

    char **env_names;             /* airlock_runtime_allow_env */
    size_t nenv;
    host_builtin builtins[HOST_MAX_BUILTINS]; /* built-in plugins' hooked state (builtin.h) */
    size_t nbuiltins;

    bool deterministic;
    uint64_t seed;
    bool reseed;                  /* boot drew randomness: reseed fresh sandboxes */

    atomic_uint_least64_t exec_seq; /* the last execution's id (rollback.c) */

    airlock_audit_fn audit_fn;
    void *audit_userdata;
    int audit_fd;                 /* -1: none */

    char *grants_text;            /* airlock_runtime_describe_grants */
    host_boot_tree boot_tree;
} host_registry;

/* The runtime's registry, made on first use; NULL when out of memory. */
host_registry *host_registry_of(airlock_runtime *rt);
void host_registry_free(airlock_runtime *rt);
/* Effective call limits (defaults filled in; reg may be NULL). */
codec_limits host_codec_limits(const host_registry *reg, bool result);

/* Add a plugin and its functions; origin is copied. On failure nothing is
 * added and the message is in rt's errmsg (the caller still owns state). */
int host_add_plugin(airlock_runtime *rt, const airlock_plugin *def, void *state, const char *origin,
                    const char *options);
/* The minor version a plugin declares in abi_version (0 for a plugin from
 * before minor versions): fields added by a minor are read only from
 * plugins that declare it. */
uint32_t host_plugin_abi_minor(uint32_t abi_version);
/* The same with rt->lock held and the registry in hand. */
int host_add_plugin_locked(airlock_runtime *rt, host_registry *reg, const airlock_plugin *def, void *state,
                           const char *origin, const char *options);

/* ---- hooks called by sandbox.c ---------------------------------------------- */

/* During boot, after the guest library: install every module (vm is the
 * boot vm). false with *what set on failure and the reason appended to
 * the boot vm's stderr. */
bool host_boot(airlock_runtime *rt, airlock_vm *vm, const char **what);
/* The digest of the install host_boot would run for rt's registry (boot.c):
 * equal digests, the same install. false on OOM (message in rt's errmsg). */
bool host_boot_digest(airlock_runtime *rt, const char *guest, uint64_t *digest);
/* rt starts from an install made earlier with its digest instead of running
 * host_boot: take what that install found (reseed: it drew randomness). */
void host_boot_adopt(airlock_runtime *rt, bool reseed);
/* Give a new vm the runtime's host state (attach, clone, load). */
void host_attach_vm(airlock_runtime *rt, airlock_vm *vm);
/* A fresh sandbox from the snapshot: reseed if boot drew randomness (the
 * message of a failure in err). */
int host_fresh_vm(airlock_runtime *rt, airlock_vm *vm, char *err, size_t errsize);
/* Free the per-vm host state. */
void host_vm_free(airlock_vm *vm);
/* An execution of vm begins; it ends kept (rolled_back false) or rolled
 * back after a trap, when everything the host opened for it is closed
 * (rollback.c). */
void host_exec_begin(airlock_vm *vm);
void host_exec_end(airlock_vm *vm, bool rolled_back);

/* ---- one call (call.c) ------------------------------------------------------- */

/* How a guest takes a scalar result directly (MicroPython's 12-byte slot):
 * fn returns false when it cannot, and the scalar goes as text. */
typedef struct host_put {
    bool (*fn)(airlock_vm *vm, const airlock_value *v, void *ctx);
    void *ctx;
} host_put;

typedef enum host_served {
    HOST_SERVED_SENT,  /* put took the result */
    HOST_SERVED_TEXT,  /* vm->host_buf holds the tagged answer (codec.h) */
    HOST_SERVED_NOMEM  /* no buffer for the answer: the guest raises MemoryError */
} host_served;

/* One call, guest-neutral: blob is the encoded call the guest sent (len
 * bytes, read in place, checked against the registry's cap before it is
 * decoded; NULL: it sent something else). Admitted, run, answered and
 * audited; put may be NULL. */
host_served host_call_serve(airlock_vm *vm, const uint8_t *blob, size_t len, const host_put *put);

/* The device a guest without the js bridge calls the host through
 * (device.c, guest_ops.host_device): installed at this descriptor of the
 * vm's vfs by host_boot and host_attach_vm; no path leads to it. 0, or
 * -errno when it could not be (out of memory, the descriptor taken). */
#define HOST_DEVICE_FD (VFS_MAX_FDS - 1)
int host_device_attach(airlock_vm *vm);

/* ---- audit (audit.c) ------------------------------------------------------------ */

typedef struct host_audit {
    const char *plugin, *module, *function;
    bool allowed;
    const char *reason;
    const char *error;
    uint64_t bytes_in, bytes_out;
    double duration_ms;
} host_audit;

bool host_audit_enabled(const host_registry *reg);
void host_audit_emit(host_registry *reg, const host_audit *a);
/* The vfs's audit callback (ctx: the vm): file operations as records. */
void host_audit_file(void *ctx, const vfs_audit_event *e);

/* ---- built-in plugins -------------------------------------------------------------- */

extern const airlock_plugin host_env_plugin;
/* Text for the env grant (names listed). */
void host_env_describe(const host_registry *reg, char *buf, size_t size);

/* The table handed to shared-object plugins. */
extern const airlock_api host_api_table;

#endif
