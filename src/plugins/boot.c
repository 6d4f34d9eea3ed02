/*
 * boot.c - install host modules into the start-up snapshot; per-vm host
 * state; the grants text.
 *
 * At boot every registered module becomes a real Python module: host.c's
 * registry is written out as source files in a tree mounted (in the boot
 * vm only) at BOOT_DIR, and imported from there. The source of a module is
 * a def per function, forwarding to _airlock_host._call with the function's
 * number, then the plugin's own Python. MicroPython's js bridge hands the
 * guest its host callable only during this step (vm->host_boot); afterwards the defs are the only way to
 * it, and they only reach functions the runtime registered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/guest.h"
#include "plugins/host.h"
#include "plugins/runtime.h"
#include "runtime/image.h" /* session_sum: the install digest */
#include "runtime/meter.h"
#include "vfs/vfs.h"

#define BOOT_DIR "/.airlock_host"
/* Start-up Python of the host side (src/plugins/py/, embedded at build). */
extern const vfs_embedded_tree airlock_host_py_tree;

/* ---- the registry's fingerprint ----------------------------------------- */

/* FNV-1a of every function's module.name in number order: a session saved
 * under another list of functions cannot call the wrong one by number. */
static uint32_t fingerprint(const host_registry *reg) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < reg->nfns; i++) {
        const char *parts[3] = {reg->fns[i].module, ".", reg->fns[i].name};
        for (int k = 0; k < 3; k++)
            for (const char *p = parts[k]; *p; p++) h = (h ^ (uint8_t)*p) * 16777619u;
        h = (h ^ '\n') * 16777619u;
    }
    return h ? h : 1;
}

/* ---- module sources ----------------------------------------------------------- */

static bool add_file(host_boot_tree *t, const char *name, codec_buf *src) {
    vfs_embedded_file *f = realloc(t->files, (t->count + 1) * sizeof *f);
    if (!f) return false;
    t->files = f;
    char *path = malloc(strlen(name) + 4);
    if (!path) return false;
    sprintf(path, "%s.py", name);
    f[t->count++] = (vfs_embedded_file){path, (const unsigned char *)src->data, src->len};
    src->data = NULL; /* the tree owns it now */
    src->len = src->cap = 0;
    return true;
}

static const vfs_embedded_file *py_file(const char *path) {
    for (size_t i = 0; i < airlock_host_py_tree.count; i++)
        if (strcmp(airlock_host_py_tree.files[i].path, path) == 0) return &airlock_host_py_tree.files[i];
    return NULL;
}

/* _airlock_host.py: the configuration, then the static part. */
static bool core_source(const host_registry *reg, codec_buf *b) {
    const vfs_embedded_file *core = py_file("_airlock_host.py");
    codec_limits lim = host_codec_limits(reg, false);
    char head[128];
    snprintf(head, sizeof head, "_MAXDEPTH = %u\n", lim.max_depth);
    return core && codec_buf_put(b, head, strlen(head)) && codec_buf_put(b, core->data, core->size);
}

static bool module_source(const host_registry *reg, const host_module *m, codec_buf *b) {
    char line[256];
    snprintf(line, sizeof line, "# host module %s (plugin %s)\nfrom _airlock_host import _call as _airlock_call\n",
             m->name, m->plugin->name);
    if (!codec_buf_put(b, line, strlen(line))) return false;
    for (size_t i = 0; i < reg->nfns; i++) {
        if (strcmp(reg->fns[i].module, m->name) != 0) continue;
        snprintf(line, sizeof line, "def %s(*args, **kwargs):\n    return _airlock_call('%u:%zu:', args, kwargs)\n",
                 reg->fns[i].name, reg->fingerprint, i);
        if (!codec_buf_put(b, line, strlen(line))) return false;
    }
    return !m->python || (codec_buf_put(b, "\n", 1) && codec_buf_put(b, m->python, strlen(m->python)));
}

/* _airlock_link.py: the guest's transport to the host (one file per
 * guest in src/plugins/py/, _airlock_link_NAME.py). */
static bool link_source(const char *guest, codec_buf *b) {
    char name[64], head[64];
    snprintf(name, sizeof name, "_airlock_link_%s.py", guest);
    snprintf(head, sizeof head, "_DEVICE_FD = %d\n", HOST_DEVICE_FD);
    const vfs_embedded_file *link = py_file(name);
    return link && codec_buf_put(b, head, strlen(head)) && codec_buf_put(b, link->data, link->size);
}

static bool build_tree(host_registry *reg, const char *guest) {
    codec_buf b = {0};
    bool ok = link_source(guest, &b) && add_file(&reg->boot_tree, "_airlock_link", &b) && core_source(reg, &b) &&
              add_file(&reg->boot_tree, "_airlock_host", &b);
    for (size_t i = 0; ok && i < reg->nmodules; i++)
        ok = module_source(reg, &reg->modules[i], &b) && add_file(&reg->boot_tree, reg->modules[i].name, &b);
    codec_buf_free(&b);
    reg->boot_tree.tree.files = reg->boot_tree.files;
    reg->boot_tree.tree.count = reg->boot_tree.count;
    return ok;
}

void host_boot_tree_free(host_boot_tree *t) {
    for (size_t i = 0; i < t->count; i++) {
        free((char *)t->files[i].path);
        free((unsigned char *)t->files[i].data);
    }
    free(t->files);
    memset(t, 0, sizeof *t);
}

/* ---- running Python during boot --------------------------------------------------- */

/* The Python that imports every module; names in a list literal. */
static bool install_source(const host_registry *reg, codec_buf *b) {
    static const char head[] =
        "def _airlock_install(names):\n"
        "    import sys\n"
        "    sys.path.insert(0, '" BOOT_DIR "')\n"
        "    try:\n"
        "        import _airlock_host\n"
        "        _airlock_hook[0] = _airlock_host._value\n"
        "        for n in names:\n"
        "            sys.modules.pop(n, None)\n"
        "            __import__(n)\n"
        "    finally:\n"
        "        sys.path.remove('" BOOT_DIR "')\n"
        "        sys.modules.pop('_airlock_host', None)\n"
        "        sys.modules.pop('_airlock_link', None)\n"
        "_airlock_install([";
    if (!codec_buf_put(b, head, sizeof head - 1)) return false;
    for (size_t i = 0; i < reg->nmodules; i++) {
        const char *n = reg->modules[i].name; /* an identifier: no quoting needed */
        if (!codec_buf_put(b, "'", 1) || !codec_buf_put(b, n, strlen(n)) || !codec_buf_put(b, "',", 2)) return false;
    }
    static const char tail[] = "])\ndel _airlock_install\n";
    return codec_buf_put(b, tail, sizeof tail - 1);
}

/* The environment plugin comes with any env grant, and with auditing so
 * that attempts to read the environment show up as denied. */
static int add_builtins(airlock_runtime *rt, host_registry *reg) {
    bool have = false;
    for (size_t i = 0; i < reg->nplugins; i++) have |= reg->plugins[i]->def == &host_env_plugin;
    if (have || (!reg->nenv && !host_audit_enabled(reg))) return AIRLOCK_OK;
    return host_add_plugin_locked(rt, reg, &host_env_plugin, reg, "built-in", NULL);
}

/* sandbox.c reports boot failures with the boot vm's output. */
static void boot_error(airlock_vm *vm, const char *what, const char *detail) {
    outbuf_append(&vm->out[1], what, strlen(what));
    outbuf_append(&vm->out[1], detail, strlen(detail));
}

/* The registry's part of the boot, once per runtime (the first boot holds
 * rt->lock; later vms of a guest that boots each one only read it). */
static bool prepare(airlock_runtime *rt, host_registry *reg, const char *guest) {
    if (reg->boot_tree.count) return true;
    if (add_builtins(rt, reg) != AIRLOCK_OK) return false;
    reg->fingerprint = fingerprint(reg);
    if (build_tree(reg, guest)) return true;
    host_boot_tree_free(&reg->boot_tree);
    runtime_fail(rt, AIRLOCK_NOMEM, "out of memory installing host modules");
    return false;
}

/* Run the install with the module tree mounted, then take it away:
 * afterwards nothing can import _airlock_host or _airlock_link again. */
static bool install(airlock_vm *vm, host_registry *reg, const char *src, char *err, size_t errsize) {
    if (vfs_mount_internal(vm->vfs, BOOT_DIR, &vfs_embedded_ops, (void *)&reg->boot_tree.tree) != 0 ||
        host_device_attach(vm) != 0) {
        vfs_unmount(vm->vfs, BOOT_DIR);
        snprintf(err, errsize, "cannot mount the host modules or attach the host-call device");
        return false;
    }
    vm->host = reg;
    vm->host_boot = true;
    bool ok = vm->guest->run_trusted(vm, src, err, errsize);
    vm->host_boot = false;
    vfs_unmount(vm->vfs, BOOT_DIR);
    return ok;
}

/* A digest of all that host_boot would run for rt: the install source and
 * every file of the module tree (names and bytes). A guest that froze an
 * install made with the same digest (the CPython guest's build-time image)
 * may start from it instead: the digest is computed by this function at
 * build time and at boot, never assumed. Never 0; false (the message in
 * rt's errmsg) when out of memory. */
bool host_boot_digest(airlock_runtime *rt, const char *guest, uint64_t *digest) {
    host_registry *reg = host_registry_of(rt);
    if (!reg) {
        runtime_fail(rt, AIRLOCK_NOMEM, "out of memory installing host modules");
        return false;
    }
    if (!prepare(rt, reg, guest)) return false;
    codec_buf src = {0};
    bool ok = install_source(reg, &src);
    if (ok) {
        uint64_t tree = vfs_embedded_digest(&reg->boot_tree.tree);
        session_sum s;
        session_sum_init(&s);
        session_sum_add(&s, &tree, sizeof tree);
        session_sum_add(&s, src.data, src.len);
        *digest = session_sum_final(&s) | 1;
    } else {
        runtime_fail(rt, AIRLOCK_NOMEM, "out of memory installing host modules");
    }
    codec_buf_free(&src);
    return ok;
}

void host_boot_adopt(airlock_runtime *rt, bool reseed) {
    host_registry *reg = host_registry_of(rt);
    if (reg && reseed) reg->reseed = true;
}

/* Every runtime imports _airlock_host, with or without host modules: the
 * embedder's values (src/values.c) cross through its codec too. */
bool host_boot(airlock_runtime *rt, airlock_vm *vm, const char **what) {
    host_registry *reg = host_registry_of(rt);
    *what = "host modules";
    if (!reg || !prepare(rt, reg, vm->guest->name)) {
        boot_error(vm, reg ? airlock_runtime_errmsg(rt) : "out of memory", "");
        return false;
    }
    codec_buf src = {0};
    if (!install_source(reg, &src)) {
        codec_buf_free(&src);
        boot_error(vm, "out of memory installing host modules", "");
        return false;
    }
    char err[400];
    bool ok = install(vm, reg, src.data, err, sizeof err);
    codec_buf_free(&src);
    if (!ok) {
        boot_error(vm, "a host module's Python failed: ", err);
        return false;
    }
    /* Randomness drawn now would be frozen into the snapshot and replayed by
     * every sandbox: remember to reseed them. */
    if (vm->random_draws && !reg->reseed) reg->reseed = true;
    return true;
}

/* ---- per-vm state --------------------------------------------------------------------- */

static uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void host_attach_vm(airlock_runtime *rt, airlock_vm *vm) {
    host_registry *reg = *runtime_registry(rt);
    vm->host = reg;
    /* Without it (out of memory) this vm's host calls raise OSError. */
    host_device_attach(vm);
    if (host_audit_enabled(reg)) vfs_set_audit(vm->vfs, host_audit_file, vm);
    vm->deterministic = reg && reg->deterministic;
    vm->det_ms = 0;
    if (vm->deterministic) vm->rng_state = mix64(reg->seed ^ 0x6a09e667f3bcc909ull);
}

typedef struct reseed_args {
    bool ok;
    char err[200];
} reseed_args;

static void reseed_guest(airlock_vm *vm, void *arg) {
    reseed_args *ra = arg;
    ra->ok = vm->guest->run_trusted(vm, "__import__('random').seed()\n", ra->err, sizeof ra->err);
}

int host_fresh_vm(airlock_runtime *rt, airlock_vm *vm, char *err, size_t errsize) {
    host_registry *reg = *runtime_registry(rt);
    if (!reg || !reg->reseed) return AIRLOCK_OK;
    reseed_args ra = {false, ""};
    meter_begin(vm);
    int trap = vm_call(vm, reseed_guest, &ra);
    vm->pristine = false;
    if (trap || !ra.ok) {
        snprintf(err, errsize, "cannot reseed the sandbox's random generator: %s", trap ? vm_trap_message(trap) : ra.err);
        return AIRLOCK_ERROR;
    }
    return AIRLOCK_OK;
}

void host_vm_free(airlock_vm *vm) {
    for (size_t i = 0; vm->host && i < vm->host->nbuiltins; i++) { /* e.g. connections are per sandbox */
        const host_builtin *b = &vm->host->builtins[i];
        if (b->hooks->vm_free) b->hooks->vm_free(b->state, vm);
    }
    if (vm->host_buf) {
        codec_buf_free(vm->host_buf);
        free(vm->host_buf);
        vm->host_buf = NULL;
    }
}

