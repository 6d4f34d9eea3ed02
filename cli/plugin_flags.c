/*
 * plugin_flags.c - the grant flags served by host functions and plugins:
 * --allow-env, --plugin, --deterministic, --seed, --audit, --list-grants,
 * --allow-sqlite, --allow-net.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

static int flag_error(const char *flag, const char *arg, const char *why) {
    fprintf(stderr, "airlock: %s %s: %s\nTry 'airlock --help'.\n", flag, arg, why);
    return EXIT_USAGE;
}

static int add(const char **list, int *n, const char *flag, const char *arg) {
    if (*n == CLI_MAX_GRANTS) return flag_error(flag, arg, "too many of this flag");
    list[(*n)++] = arg;
    return -1;
}

static int seed_option(cli_options *opt, const char *arg) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || *arg == '-') return flag_error("--seed", arg, "not a whole number");
    opt->seed = v;
    opt->deterministic = true;
    return -1;
}

int plugin_option(cli_options *opt, int code, const char *arg) {
    switch (code) {
    case OPT_ALLOW_ENV:
        if (!*arg || strchr(arg, '=')) return flag_error("--allow-env", arg, "not an environment variable name");
        return add(opt->env_names, &opt->n_env, "--allow-env", arg);
    case OPT_PLUGIN:
        if (!*arg) return flag_error("--plugin", arg, "empty");
        return add(opt->plugins, &opt->n_plugins, "--plugin", arg);
    case OPT_DETERMINISTIC: opt->deterministic = true; return -1;
    case OPT_SEED: return seed_option(opt, arg);
    case OPT_AUDIT:
        if (!*arg) return flag_error("--audit", arg, "needs a file name");
        opt->audit = arg;
        return -1;
    case OPT_LIST_GRANTS: opt->list_grants = true; return -1;
    case OPT_ALLOW_SQLITE:
        if (!*arg) return flag_error("--allow-sqlite", arg, "needs the path of a database file");
        return add(opt->sqlite, &opt->n_sqlite, "--allow-sqlite", arg);
    case OPT_ALLOW_NET:
        if (!*arg) return flag_error("--allow-net", arg, "needs HOST or HOST:PORT");
        return add(opt->net, &opt->n_net, "--allow-net", arg);
    default: return EXIT_USAGE;
    }
}

/* "PATH[=OPTIONS]": the options start at the first '=' after the last '/'. */
static int load_plugin(airlock_runtime *rt, const char *spec) {
    const char *slash = strrchr(spec, '/');
    const char *eq = strchr(slash ? slash : spec, '=');
    size_t plen = eq ? (size_t)(eq - spec) : strlen(spec);
    char *path = strndup(spec, plen);
    if (!path) return flag_error("--plugin", spec, "out of memory");
    int status = -1;
    if (!strchr(path, '/')) {
        status = flag_error("--plugin", spec,
                            "no built-in plugin has that name (give a path such as ./x.so; environment "
                            "variables have --allow-env)");
    } else if (airlock_runtime_load_plugin(rt, path, eq ? eq + 1 : NULL) != AIRLOCK_OK) {
        fprintf(stderr, "airlock: --plugin: %s\n", airlock_runtime_errmsg(rt));
        status = EXIT_USAGE;
    }
    free(path);
    return status;
}

/* --list-grants: the filesystem grants from the flags, then the rest. */
static void list_grants(const cli_options *opt, airlock_runtime *rt) {
    char guest[64];
    printf("Guest: %s\n", options_guest_title(opt, guest, sizeof guest));
    printf("Granted to the sandbox:\n");
    for (int i = 0; i < opt->n_grants; i++) {
        const cli_grant *g = &opt->grants[i];
        if (g->host)
            printf("- files: %s %s at %s (%s)\n", g->mode == AIRLOCK_MOUNT_WRITE ? "read and write" : "read",
                   g->host, g->guest, g->flag);
        else
            printf("- files: a private in-memory %s of %llu bytes (%s)\n", g->guest,
                   (unsigned long long)g->scratch_bytes, g->flag);
    }
    fputs(airlock_runtime_describe_grants(rt), stdout);
    printf("Nothing else: no other files, %s, no processes.\n", opt->n_net ? "no other network" : "no network");
}

bool sqlite_spec(const char *spec, char *buf, size_t size, bool *writable) {
    size_t len = strlen(spec);
    *writable = len > 3 && strcmp(spec + len - 3, ":rw") == 0;
    bool ro = len > 3 && strcmp(spec + len - 3, ":ro") == 0;
    if (*writable || ro) len -= 3;
    if (len >= size) return false;
    memcpy(buf, spec, len);
    buf[len] = '\0';
    return true;
}

/* --allow-sqlite PATH[:rw|:ro]: the suffix, if any, is the mode. */
static int allow_sqlite(airlock_runtime *rt, const char *spec) {
    char path[4096];
    bool rw;
    if (!sqlite_spec(spec, path, sizeof path, &rw)) return flag_error("--allow-sqlite", spec, "path too long");
    if (airlock_runtime_allow_sqlite(rt, path, rw) != AIRLOCK_OK) {
        fprintf(stderr, "airlock: --allow-sqlite: %s\n", airlock_runtime_errmsg(rt));
        return EXIT_USAGE;
    }
    return -1;
}

/* What the resolver and TLS read when a request is made (NSS modules are
 * loaded then, from libc's directory): the net grant needs them. */
static int net_paths(int (*add)(void *, const char *, bool), void *ctx) {
    static const char *const paths[] = {
        "/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/gai.conf", "/etc/host.conf",
        "/etc/ld.so.cache", "/etc/ssl", "/usr/lib/ssl", "/usr/share/ca-certificates", "/etc/ca-certificates",
    };
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof paths / sizeof *paths; i++) rc = add(ctx, paths[i], false);
    Dl_info info;
    if (rc == 0 && dladdr((void *)getaddrinfo, &info) && info.dli_fname && strrchr(info.dli_fname, '/')) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%.*s", (int)(strrchr(info.dli_fname, '/') - info.dli_fname), info.dli_fname);
        rc = add(ctx, dir, false);
    }
    return rc;
}

int plugin_os_paths(const cli_options *opt, int (*add)(void *ctx, const char *path, bool writable), void *ctx) {
    int rc = 0;
    for (int i = 0; rc == 0 && i < opt->n_sqlite; i++) {
        char path[4096];
        bool rw;
        if (!sqlite_spec(opt->sqlite[i], path, sizeof path, &rw)) continue;
        /* the directory: journals and WAL files live beside the database */
        char *slash = strrchr(path, '/');
        if (slash) *(slash == path ? slash + 1 : slash) = '\0';
        rc = add(ctx, slash ? path : ".", rw);
    }
    return rc == 0 && opt->n_net ? net_paths(add, ctx) : rc;
}

/* The grants served by built-in plugins beyond env. */
static int apply_builtin_grants(const cli_options *opt, airlock_runtime *rt) {
    for (int i = 0; i < opt->n_sqlite; i++) {
        int status = allow_sqlite(rt, opt->sqlite[i]);
        if (status >= 0) return status;
    }
    for (int i = 0; i < opt->n_net; i++)
        if (airlock_runtime_allow_net(rt, opt->net[i]) != AIRLOCK_OK) {
            fprintf(stderr, "airlock: --allow-net: %s\n", airlock_runtime_errmsg(rt));
            return EXIT_USAGE;
        }
    return -1;
}

int plugins_apply(const cli_options *opt, airlock_runtime *rt) {
    for (int i = 0; i < opt->n_env; i++)
        if (airlock_runtime_allow_env(rt, opt->env_names[i]) != AIRLOCK_OK)
            return flag_error("--allow-env", opt->env_names[i], airlock_runtime_errmsg(rt));
    for (int i = 0; i < opt->n_plugins; i++) {
        int status = load_plugin(rt, opt->plugins[i]);
        if (status >= 0) return status;
    }
    int status = apply_builtin_grants(opt, rt);
    if (status >= 0) return status;
    if (opt->deterministic && airlock_runtime_set_deterministic(rt, 1, opt->seed) != AIRLOCK_OK)
        return flag_error("--deterministic", "", airlock_runtime_errmsg(rt));
    if (opt->audit && airlock_runtime_audit_file(rt, opt->audit) != AIRLOCK_OK)
        return flag_error("--audit", opt->audit, airlock_runtime_errmsg(rt));
    if (opt->list_grants) {
        list_grants(opt, rt);
        return EXIT_OK;
    }
    return -1;
}
