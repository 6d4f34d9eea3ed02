/*
 * probe_internal.h - what probe.c (set-up, the run, the table) and
 * probe_checks.c (the checks themselves) share.
 */
#ifndef AIRLOCK_CLI_PROBE_INTERNAL_H
#define AIRLOCK_CLI_PROBE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "airlock.h"
#include "options.h"
#include "os_sandbox.h"

#define PROBE_PATH 4200
#define PROBE_MAX_ROWS (16 + 2 * CLI_MAX_GRANTS)
#define PROBE_OUT (64u << 10) /* what one guest run may print, as kept */

enum { VERDICT_PASS, VERDICT_FAIL, VERDICT_SKIP };

typedef struct probe_row {
    const char *expect; /* "denied", "hidden", "works" ... */
    char test[120];
    int verdict;
    char detail[300];
} probe_row;

typedef struct probe_ctx {
    cli_options opt;
    airlock_runtime *rt;
    char secret[33];             /* random, planted in a file and the env */
    char workdir[4096];          /* the probe's own temporary directory */
    char secret_path[PROBE_PATH];
    char marker[PROBE_PATH];     /* created if the guest starts a process */
    char host_marker[PROBE_PATH];/* created if the host process can */
    const char *plant_problem;   /* why no secret could be planted, or NULL */
    int listen_fd;
    int port;
    int os_rc;                   /* os_sandbox_apply's answer */
    os_sandbox_status os;
    probe_row rows[PROBE_MAX_ROWS];
    int nrows;
} probe_ctx;

/* The variable the probe sets to the secret; granting it is a mistake the
 * probe reports. */
#define PROBE_ENV_NAME "AIRLOCK_PROBE_SECRET"

/* A new row of the table (never NULL: the last one is reused if full). */
probe_row *probe_add(probe_ctx *c, const char *expect, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void probe_set(probe_row *r, int verdict, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Random lower-case hex, n characters (n+1 bytes of room). */
void probe_random_hex(char *out, size_t n);

#define CODE_MAX (32u << 10) /* one guest program, as the probe writes it */

/*
 * Run guest code (after a prelude defining _s(hex) -> str and _try(label,
 * fn), which prints "LABEL ok VALUE" or "LABEL denied TYPE ARG") in a fresh
 * sandbox; everything it produced lands in out (PROBE_OUT bytes). Returns
 * airlock_sandbox_exec's code, or -1 if no sandbox could be made.
 */
int probe_guest_run(probe_ctx *c, const char *body, char *out);
/* s as a Python expression that cannot break the source: _s('<hex>'). */
const char *probe_lit(const char *s, char *buf, size_t n);
/* Does out have a line starting with prefix? */
bool probe_has_line(const char *out, const char *prefix);
/* The rest of the first line starting with prefix, into buf ("" if none). */
const char *probe_line_after(const char *out, const char *prefix, char *buf, size_t n);

/* The checks (probe_checks.c), run on the confined thread. */
void check_read_outside(probe_ctx *c);
void check_network(probe_ctx *c);
void check_env_secret(probe_ctx *c);
void check_spawn(probe_ctx *c);
void check_host_process(probe_ctx *c);
void check_grants(probe_ctx *c);
/* --allow-sqlite and --allow-net (probe_services.c), from check_grants. */
void check_service_grants(probe_ctx *c);

#endif
