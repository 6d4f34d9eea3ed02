/*
 * options.h - the airlock command line, parsed.
 */
#ifndef AIRLOCK_CLI_OPTIONS_H
#define AIRLOCK_CLI_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "airlock.h"

enum { EXIT_OK = 0, EXIT_PYTHON = 1, EXIT_USAGE = 2, EXIT_LIMIT = 3 };

typedef enum { RUN_UNSET, RUN_CODE, RUN_FILE, RUN_STDIN, RUN_REPL } run_mode;

/* A filesystem grant from --allow-read, --allow-write, --mount, --scratch. */
typedef struct cli_grant {
    const char *flag;      /* the option that made it, for messages */
    const char *host;      /* host path; NULL for scratch */
    char *guest;           /* absolute guest path (malloc'd) */
    int mode;              /* AIRLOCK_MOUNT_READ or AIRLOCK_MOUNT_WRITE */
    uint64_t scratch_bytes;
    bool owns_host;        /* host was malloc'd (split out of --mount) */
} cli_grant;

#define CLI_MAX_GRANTS 24

typedef struct cli_options {
    run_mode mode;
    const char *code;      /* -c */
    const char *file;      /* FILE */
    bool json;
    const char *session;   /* --session FILE */
    const char *guest;     /* --guest NAME; NULL: the library's default */
    bool no_compat;        /* --no-compat */
    airlock_limits limits;
    cli_grant grants[CLI_MAX_GRANTS];
    int n_grants;
    /* Host grants, determinism, audit (plugin_flags.c). */
    const char *env_names[CLI_MAX_GRANTS];
    int n_env;
    const char *plugins[CLI_MAX_GRANTS];   /* NAME|PATH[=OPTIONS] as given */
    int n_plugins;
    const char *sqlite[CLI_MAX_GRANTS];    /* --allow-sqlite PATH[:rw] as given */
    int n_sqlite;
    const char *net[CLI_MAX_GRANTS];       /* --allow-net HOST[:PORT] */
    int n_net;
    bool deterministic;
    uint64_t seed;
    const char *audit;
    bool list_grants;
    /* The seccomp + Landlock layer around the process (os_sandbox.c). */
    bool no_os_sandbox;    /* --no-os-sandbox */
    bool verbose;          /* --verbose: say what it did on stderr */
} cli_options;

/*
 * Parse argv. Returns -1 when the program should go on, or an exit status
 * (after printing help, the version, or a usage error on stderr).
 */
int options_parse(int argc, char **argv, cli_options *opt);

/* Grant flags (grants.c). flag is "--allow-read" etc.; returns -1 when
 * parsing goes on, or an exit status after a usage message. */
int grant_option(cli_options *opt, const char *flag, const char *arg);
/* Make every grant of opt on rt; an exit status (after a message) or -1. */
int grants_apply(const cli_options *opt, airlock_runtime *rt);
/* Free what the grant flags allocated. */
void grants_free_options(cli_options *opt);

/* Host grant flags (plugin_flags.c): --allow-env, --plugin, --deterministic,
 * --seed, --audit, --list-grants, --allow-sqlite, --allow-net. */
enum {
    OPT_ALLOW_ENV = 768, OPT_PLUGIN, OPT_DETERMINISTIC, OPT_SEED, OPT_AUDIT, OPT_LIST_GRANTS, OPT_ALLOW_SQLITE,
    OPT_ALLOW_NET
};
/* One of them; -1 when parsing goes on, or an exit status after a message. */
int plugin_option(cli_options *opt, int code, const char *arg);
/* Apply them to rt: -1, or an exit status (after a message; after printing
 * the grants for --list-grants). */
int plugins_apply(const cli_options *opt, airlock_runtime *rt);

/* --allow-sqlite PATH[:rw|:ro] split into the path (into buf) and the
 * mode; false if PATH does not fit. */
bool sqlite_spec(const char *spec, char *buf, size_t size, bool *writable);
/* The host paths the sqlite and net grants still open after start-up (the
 * OS sandbox allows them): add(ctx, path, writable) for each; stops at and
 * returns the first non-zero answer. */
int plugin_os_paths(const cli_options *opt, int (*add)(void *ctx, const char *path, bool writable), void *ctx);

/* Choose opt's guest and compatibility layer on rt: an AIRLOCK_* code
 * (message on rt). */
int options_apply_guest(const cli_options *opt, airlock_runtime *rt);
/* "MicroPython 1.27.0" for opt's guest, into buf. */
const char *options_guest_title(const cli_options *opt, char *buf, size_t size);

/* "64M" -> bytes; false if malformed or out of range. */
bool parse_size(const char *s, uint64_t *out);

#endif
