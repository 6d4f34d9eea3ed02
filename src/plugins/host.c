/*
 * host.c - the registry of host functions and plugins, and its public API.
 *
 * Registration happens before the first sandbox exists, under rt->lock,
 * like filesystem grants: once the snapshot is built the registry is frozen
 * and sandboxes read it without locks.
 */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugins/host.h"
#include "plugins/runtime.h"

#define DEFAULT_DEPTH 32
#define DEFAULT_BYTES (16ull << 20)
#define DEFAULT_ITEMS (1ull << 20)
#define MAX_NAME 64

host_registry *host_registry_of(airlock_runtime *rt) {
    if (!*runtime_registry(rt)) {
        host_registry *reg = calloc(1, sizeof *reg);
        if (!reg) return NULL;
        reg->audit_fd = -1;
        *runtime_registry(rt) = reg;
    }
    return *runtime_registry(rt);
}

static void free_plugin(host_plugin *p) {
    if (!p) return;
    if (p->def && p->def->fini) p->def->fini(p->state);
    if (p->dl) dlclose(p->dl);
    free(p->name);
    free(p->origin);
    free(p->options);
    free(p);
}

void host_registry_free(airlock_runtime *rt) {
    host_registry *reg = *runtime_registry(rt);
    if (!reg) return;
    for (size_t i = 0; i < reg->nfns; i++) {
        free(reg->fns[i].module);
        free(reg->fns[i].name);
    }
    for (size_t i = 0; i < reg->nmodules; i++) free(reg->modules[i].name);
    for (size_t i = 0; i < reg->nplugins; i++) free_plugin(reg->plugins[i]);
    for (size_t i = 0; i < reg->nenv; i++) free(reg->env_names[i]);
    for (size_t i = 0; i < reg->nbuiltins; i++) /* after the plugins: their state */
        if (reg->builtins[i].hooks->free) reg->builtins[i].hooks->free(reg->builtins[i].state);
    if (reg->audit_fd >= 0) close(reg->audit_fd);
    free(reg->fns);
    free(reg->modules);
    free(reg->plugins);
    free(reg->env_names);
    free(reg->grants_text);
    host_boot_tree_free(&reg->boot_tree);
    free(reg);
    *runtime_registry(rt) = NULL;
}

void *host_builtin_state(const host_registry *reg, const host_builtin_hooks *hooks) {
    for (size_t i = 0; reg && i < reg->nbuiltins; i++)
        if (reg->builtins[i].hooks == hooks) return reg->builtins[i].state;
    return NULL;
}

bool host_builtin_add(host_registry *reg, const host_builtin_hooks *hooks, void *state) {
    if (reg->nbuiltins == HOST_MAX_BUILTINS) return false;
    reg->builtins[reg->nbuiltins++] = (host_builtin){hooks, state};
    return true;
}

codec_limits host_codec_limits(const host_registry *reg, bool result) {
    static const airlock_call_limits defaults = {0};
    const airlock_call_limits *l = reg ? &reg->limits : &defaults;
    return (codec_limits){
        .what = result ? "host call result" : "host call",
        .max_depth = l->max_depth ? l->max_depth : DEFAULT_DEPTH,
        .max_items = l->max_items ? l->max_items : DEFAULT_ITEMS,
        .max_bytes = result ? (l->max_result_bytes ? l->max_result_bytes : DEFAULT_BYTES)
                            : (l->max_arg_bytes ? l->max_arg_bytes : DEFAULT_BYTES),
    };
}

/* ---- locking: every change happens before the snapshot ---------------------- */

/* Lock rt and return its registry, or NULL (unlocked, message set). */
static host_registry *begin(airlock_runtime *rt, int *rc) {
    pthread_mutex_lock(runtime_lock(rt));
    if (runtime_booted(rt)) {
        pthread_mutex_unlock(runtime_lock(rt));
        *rc = runtime_fail(rt, AIRLOCK_MISUSE, "host functions and grants must be set before the first sandbox is created");
        return NULL;
    }
    host_registry *reg = host_registry_of(rt);
    if (!reg) {
        pthread_mutex_unlock(runtime_lock(rt));
        *rc = runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    }
    return reg;
}

static void end(airlock_runtime *rt) { pthread_mutex_unlock(runtime_lock(rt)); }

/* ---- names ----------------------------------------------------------------------- */

static bool identifier(const char *s) {
    if (!s || !*s || strlen(s) > MAX_NAME) return false;
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')) return false;
    for (const char *p = s + 1; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return false;
    return true;
}

/* Modules a plugin may not provide: the interpreter's own plumbing. */
static bool reserved_module(const char *name, bool builtin) {
    static const char *const names[] = {"sys", "builtins", "js", "jsffi", "__main__", "gc", "micropython"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0) return true;
    return !builtin && strncmp(name, "_airlock", 8) == 0;
}

static host_module *find_module(host_registry *reg, const char *name) {
    for (size_t i = 0; i < reg->nmodules; i++)
        if (strcmp(reg->modules[i].name, name) == 0) return &reg->modules[i];
    return NULL;
}

static const host_fn *find_fn(const host_registry *reg, const char *module, const char *name) {
    for (size_t i = 0; i < reg->nfns; i++)
        if (strcmp(reg->fns[i].module, module) == 0 && strcmp(reg->fns[i].name, name) == 0) return &reg->fns[i];
    return NULL;
}

/* Can module.name be added for owner p (a module belongs to one plugin;
 * p NULL: the module must be new)? 0, or an error code with the message set. */
static int check_fn(airlock_runtime *rt, host_registry *reg, const host_plugin *p, const char *module,
                    const char *name, bool builtin) {
    if (!identifier(module) || reserved_module(module, builtin))
        return runtime_fail(rt, AIRLOCK_MISUSE, "'%.80s' cannot be a host module name (a Python identifier, not %s)",
                       module ? module : "(null)", "sys, builtins, js, gc or _airlock...");
    if (!identifier(name) || strncmp(name, "__", 2) == 0)
        return runtime_fail(rt, AIRLOCK_MISUSE, "'%.80s' cannot be a host function name", name ? name : "(null)");
    host_module *m = find_module(reg, module);
    if (m && m->plugin != p)
        return runtime_fail(rt, AIRLOCK_MISUSE, "module %s is already provided by %s", module, m->plugin->name);
    if (find_fn(reg, module, name))
        return runtime_fail(rt, AIRLOCK_MISUSE, "%s.%s is already registered", module, name);
    return AIRLOCK_OK;
}

/* ---- adding ------------------------------------------------------------------------ */

/* Room for item n of an array whose capacity is max(4, a power of two). */
static bool grow(void **arr, size_t n, size_t size) {
    if (n != 0 && (n < 4 || (n & (n - 1)) != 0)) return true;
    size_t cap = n ? n * 2 : 4;
    void *p = realloc(*arr, cap * size);
    if (!p) return false;
    *arr = p;
    return true;
}

static bool add_module(host_registry *reg, const char *name, const char *python, host_plugin *p) {
    if (find_module(reg, name)) return true;
    if (!grow((void **)&reg->modules, reg->nmodules, sizeof *reg->modules)) return false;
    char *n = strdup(name);
    if (!n) return false;
    reg->modules[reg->nmodules++] = (host_module){n, python, p};
    return true;
}

static bool add_fn(host_registry *reg, const char *module, const char *name, airlock_host_fn fn, void *ud,
                   host_plugin *p) {
    if (!grow((void **)&reg->fns, reg->nfns, sizeof *reg->fns)) return false;
    char *m = strdup(module), *n = strdup(name);
    if (!m || !n) {
        free(m);
        free(n);
        return false;
    }
    reg->fns[reg->nfns++] = (host_fn){m, n, fn, ud, p};
    return true;
}

static bool add_plugin_entry(host_registry *reg, host_plugin *p) {
    if (!grow((void **)&reg->plugins, reg->nplugins, sizeof *reg->plugins)) return false;
    reg->plugins[reg->nplugins++] = p;
    return true;
}

/* The pseudo-plugin of functions registered one by one. */
static host_plugin *program_plugin(host_registry *reg) {
    for (size_t i = 0; i < reg->nplugins; i++)
        if (!reg->plugins[i]->def) return reg->plugins[i];
    host_plugin *p = calloc(1, sizeof *p);
    if (!p || !(p->name = strdup("host")) || !(p->origin = strdup("embedding program")) ||
        !add_plugin_entry(reg, p)) {
        free_plugin(p);
        return NULL;
    }
    return p;
}

int airlock_runtime_register_function(airlock_runtime *rt, const char *module, const char *name,
                                      airlock_host_fn fn, void *userdata) {
    if (!rt) return AIRLOCK_MISUSE;
    if (!fn) return runtime_fail(rt, AIRLOCK_MISUSE, "a host function needs a callback");
    int rc = AIRLOCK_OK;
    host_registry *reg = begin(rt, &rc);
    if (!reg) return rc;
    host_plugin *p = program_plugin(reg);
    if (!p) rc = runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    else rc = check_fn(rt, reg, p, module, name, false);
    if (rc == AIRLOCK_OK &&
        (!add_module(reg, module, NULL, p) || !add_fn(reg, module, name, fn, userdata, p)))
        rc = runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    end(rt);
    return rc;
}

/* Check every module and function of def against reg (caller holds lock). */
static int check_plugin(airlock_runtime *rt, host_registry *reg, const airlock_plugin *def, bool builtin) {
    if (!def->name || !identifier(def->name))
        return runtime_fail(rt, AIRLOCK_DENIED, "a plugin needs a name that is a Python identifier");
    if (!def->grants || !*def->grants)
        return runtime_fail(rt, AIRLOCK_DENIED, "plugin %s does not say what it grants (its grants text is empty)",
                       def->name);
    for (size_t i = 0; i < reg->nplugins; i++)
        if (reg->plugins[i]->def && strcmp(reg->plugins[i]->name, def->name) == 0)
            return runtime_fail(rt, AIRLOCK_MISUSE, "a plugin named %s is already loaded", def->name);
    if (!def->modules || !def->modules[0].name)
        return runtime_fail(rt, AIRLOCK_DENIED, "plugin %s provides no module", def->name);
    for (const airlock_module *m = def->modules; m->name; m++) {
        if (find_module(reg, m->name))
            return runtime_fail(rt, AIRLOCK_MISUSE, "plugin %s: module %s is already provided", def->name, m->name);
        for (const airlock_function *f = m->functions; f && f->name; f++) {
            int rc = f->fn ? check_fn(rt, reg, NULL, m->name, f->name, builtin)
                           : runtime_fail(rt, AIRLOCK_DENIED, "plugin %s: %s.%s has no callback", def->name, m->name,
                                     f->name);
            if (rc) return rc;
        }
    }
    return AIRLOCK_OK;
}

int host_add_plugin_locked(airlock_runtime *rt, host_registry *reg, const airlock_plugin *def, void *state,
                           const char *origin, const char *options) {
    bool builtin = strcmp(origin, "built-in") == 0;
    int rc = check_plugin(rt, reg, def, builtin);
    if (rc) return rc;
    host_plugin *p = calloc(1, sizeof *p);
    if (!p || !(p->name = strdup(def->name)) || !(p->origin = strdup(origin)) ||
        (options && !(p->options = strdup(options))) || !add_plugin_entry(reg, p)) {
        free_plugin(p);
        return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    }
    p->def = def;
    p->state = state;
    for (const airlock_module *m = def->modules; m->name; m++) {
        if (!add_module(reg, m->name, m->python, p)) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
        for (const airlock_function *f = m->functions; f && f->name; f++)
            if (!add_fn(reg, m->name, f->name, f->fn, state, p)) return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    }
    return AIRLOCK_OK;
}

int host_add_plugin(airlock_runtime *rt, const airlock_plugin *def, void *state, const char *origin,
                    const char *options) {
    int rc = AIRLOCK_OK;
    host_registry *reg = begin(rt, &rc);
    if (!reg) return rc;
    rc = host_add_plugin_locked(rt, reg, def, state, origin, options);
    end(rt);
    return rc;
}

/* ---- shared-object plugins ----------------------------------------------------------- */

static int refuse_so(airlock_runtime *rt, void *dl, const char *fmt, const char *path, const char *detail) {
    if (dl) dlclose(dl);
    return runtime_fail(rt, AIRLOCK_DENIED, fmt, path, detail);
}

/* Whether a plugin declaring ABI `v` can be loaded; if not, why in detail. A
 * value below 1 << 16 is from before minor versions: major v, minor 0. */
uint32_t host_plugin_abi_minor(uint32_t v) { return v < 0x10000 ? 0 : v & 0xFFFF; }

static bool abi_compatible(uint32_t v, char *detail, size_t size) {
    uint32_t major = v < 0x10000 ? v : v >> 16, minor = host_plugin_abi_minor(v);
    if (major == AIRLOCK_PLUGIN_ABI_MAJOR && minor <= AIRLOCK_PLUGIN_ABI_MINOR) return true;
    snprintf(detail, size, "it was built for plugin ABI %u.%u and this airlock speaks ABI %u.%u (%s)", major, minor,
             AIRLOCK_PLUGIN_ABI_MAJOR, AIRLOCK_PLUGIN_ABI_MINOR,
             major == AIRLOCK_PLUGIN_ABI_MAJOR ? "it needs a newer airlock"
                                               : "rebuild it against this airlock's airlock_plugin.h");
    return false;
}

int airlock_runtime_load_plugin(airlock_runtime *rt, const char *path, const char *options) {
    if (!rt) return AIRLOCK_MISUSE;
    if (!path || !*path) return runtime_fail(rt, AIRLOCK_MISUSE, "a plugin needs a path");
    if (runtime_booted(rt))
        return runtime_fail(rt, AIRLOCK_MISUSE, "plugins must be loaded before the first sandbox is created");
    void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) return refuse_so(rt, NULL, "cannot load plugin %.200s: %.250s", path, dlerror());
    const uint32_t *abi = dlsym(dl, AIRLOCK_PLUGIN_ABI_SYMBOL);
    airlock_plugin_entry_fn entry = (airlock_plugin_entry_fn)dlsym(dl, AIRLOCK_PLUGIN_ENTRY_SYMBOL);
    if (!abi || !entry)
        return refuse_so(rt, dl, "%.200s is not an airlock plugin: it does not export %s", path,
                         !abi ? AIRLOCK_PLUGIN_ABI_SYMBOL : AIRLOCK_PLUGIN_ENTRY_SYMBOL);
    char detail[200];
    if (!abi_compatible(*abi, detail, sizeof detail))
        return refuse_so(rt, dl, "refusing plugin %.200s: %s", path, detail);
    const airlock_plugin *def = entry(&host_api_table);
    if (!def || def->abi_version != *abi)
        return refuse_so(rt, dl, "refusing plugin %.200s: %s", path,
                         def ? "its plugin struct has another ABI version" : "its entry point returned no plugin");
    void *state = NULL;
    char err[256] = "";
    if (def->init && def->init(options, &state, err, sizeof err) != 0)
        return refuse_so(rt, dl, "plugin %.200s refused its options: %.250s", path, err[0] ? err : "(no reason)");
    int rc = host_add_plugin(rt, def, state, path, options);
    host_registry *reg = *runtime_registry(rt);
    bool owned = reg && reg->nplugins && reg->plugins[reg->nplugins - 1]->def == def;
    if (rc && !owned) {
        if (def->fini) def->fini(state);
        dlclose(dl);
        return rc;
    }
    reg->plugins[reg->nplugins - 1]->dl = dl; /* the registry owns it now, even after a late failure */
    return rc;
}

/* ---- settings ---------------------------------------------------------------------------- */

int airlock_runtime_set_call_limits(airlock_runtime *rt, const airlock_call_limits *lim) {
    if (!rt) return AIRLOCK_MISUSE;
    if (lim && lim->max_depth > 100) return runtime_fail(rt, AIRLOCK_MISUSE, "max_depth above 100");
    if (lim && (lim->max_arg_bytes > (1ull << 31) || lim->max_result_bytes > (1ull << 31)))
        return runtime_fail(rt, AIRLOCK_MISUSE, "host call size caps above 2 GiB");
    int rc = AIRLOCK_OK;
    host_registry *reg = begin(rt, &rc);
    if (!reg) return rc;
    reg->limits = lim ? *lim : (airlock_call_limits){0};
    end(rt);
    return AIRLOCK_OK;
}

int airlock_runtime_set_deterministic(airlock_runtime *rt, int on, uint64_t seed) {
    if (!rt) return AIRLOCK_MISUSE;
    int rc = AIRLOCK_OK;
    host_registry *reg = begin(rt, &rc);
    if (!reg) return rc;
    reg->deterministic = on != 0;
    reg->seed = seed;
    end(rt);
    return AIRLOCK_OK;
}

int airlock_runtime_allow_env(airlock_runtime *rt, const char *name) {
    if (!rt) return AIRLOCK_MISUSE;
    if (!name || !*name || strchr(name, '=') || strlen(name) > 256)
        return runtime_fail(rt, AIRLOCK_MISUSE, "'%.80s' is not an environment variable name", name ? name : "(null)");
    int rc = AIRLOCK_OK;
    host_registry *reg = begin(rt, &rc);
    if (!reg) return rc;
    for (size_t i = 0; i < reg->nenv; i++)
        if (strcmp(reg->env_names[i], name) == 0) {
            end(rt);
            return AIRLOCK_OK;
        }
    char *copy = strdup(name);
    if (!copy || !grow((void **)&reg->env_names, reg->nenv, sizeof *reg->env_names)) {
        free(copy);
        end(rt);
        return runtime_fail(rt, AIRLOCK_NOMEM, "out of memory");
    }
    reg->env_names[reg->nenv++] = copy;
    end(rt);
    return AIRLOCK_OK;
}

int airlock_runtime_set_audit(airlock_runtime *rt, airlock_audit_fn fn, void *userdata) {
    if (!rt) return AIRLOCK_MISUSE;
    int rc = AIRLOCK_OK;
    host_registry *reg = begin(rt, &rc);
    if (!reg) return rc;
    reg->audit_fn = fn;
    reg->audit_userdata = userdata;
    end(rt);
    return AIRLOCK_OK;
}

/* ---- the function table for shared objects ---------------------------------------------------- */

const airlock_api host_api_table = {
    AIRLOCK_PLUGIN_ABI_VERSION, sizeof(airlock_api),
    airlock_value_new_none, airlock_value_new_bool, airlock_value_new_int, airlock_value_new_float, airlock_value_new_str,
    airlock_value_new_strn, airlock_value_new_bytes, airlock_value_new_list, airlock_value_new_dict, airlock_list_append,
    airlock_dict_set, airlock_value_copy, airlock_value_free, airlock_value_kind, airlock_value_bool,
    airlock_value_int, airlock_value_float, airlock_value_str, airlock_value_bytes, airlock_value_len,
    airlock_value_item, airlock_value_key, airlock_value_get, airlock_call_argc, airlock_call_arg,
    airlock_call_kwargc, airlock_call_kwname, airlock_call_kwarg, airlock_call_param, airlock_call_get_str,
    airlock_call_get_int, airlock_call_userdata, airlock_call_module, airlock_call_function,
    airlock_call_return, airlock_call_raise, airlock_call_deny, airlock_call_note_denied,
    airlock_call_should_stop, airlock_call_exec,
};
