/*
 * os_sandbox.h - defence in depth for the processes airlock controls (the
 * CLI, `airlock mcp`, `airlock probe`): once start-up is over, a seccomp
 * filter and a Landlock ruleset take away from the host process itself what
 * no guest may ever get through it. The library never does this: a host
 * program embedding libairlock owns its own process.
 */
#ifndef AIRLOCK_CLI_OS_SANDBOX_H
#define AIRLOCK_CLI_OS_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>

#include "options.h"

typedef struct os_sandbox_status {
    bool requested;     /* false after --no-os-sandbox */
    bool seccomp;       /* the seccomp filter is installed */
    bool sockets;       /* socket creation stays allowed (a network grant) */
    int landlock_abi;   /* the kernel's Landlock ABI version; 0: none */
    bool landlock;      /* the Landlock ruleset is enforced */
    int rules;          /* paths the ruleset allows */
    char why[256];      /* what is off and why; "" when everything is on */
} os_sandbox_status;

/* Apply to every thread of the process (seccomp TSYNC); otherwise only the
 * calling thread and the threads it creates later are confined. */
#define OS_SANDBOX_ALL_THREADS 1u

/*
 * Confine the calling thread to what opt grants: the filter and the
 * ruleset are computed from opt's grants, session file and program file.
 * Returns 0 when every layer the kernel offers is in place, -1 when one
 * that should have worked failed (st->why says which). Never undone.
 */
int os_sandbox_apply(const cli_options *opt, unsigned flags, os_sandbox_status *st);

/* One line: "seccomp on, Landlock ABI 7 on (2 paths)" or what is off. */
void os_sandbox_describe(const os_sandbox_status *st, char *buf, size_t n);

/*
 * For the CLI and the MCP server, after start-up and before guest code:
 * apply unless --no-os-sandbox, say what happened on stderr with --verbose
 * (or always when a layer failed), and, in test builds, run the test hook.
 * `who` prefixes messages ("airlock", "airlock mcp").
 */
void os_sandbox_enter(const cli_options *opt, const char *who);

#endif
