/*
 * probe.c - `airlock probe [grant options]`: the five-test protocol, run
 * in-process against exactly the configuration given.
 *
 * The probe plants a random secret in a file of a temporary directory
 * outside every grant and in the environment variable AIRLOCK_PROBE_SECRET,
 * opens a TCP listener on 127.0.0.1, then runs guest code that tries to
 * read the file, connect, read the variable and start a process; all must
 * fail, and the probe checks on the host that nothing leaked, connected or
 * ran. Then every grant given must work (checked on the host too). The
 * runtime is built by the same code as a plain run, and the guest runs on a
 * thread confined by the same OS sandbox (seccomp, Landlock) as the airlock
 * process; the probe also checks that this thread itself can no longer
 * start a program, open a socket or read the secret. The main thread stays
 * unconfined only to clean up. Prints a table; exit 0 only if every
 * expectation held, 1 otherwise, 2 on a usage error.
 */
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib_sqlite.h"
#include "probe_internal.h"

static const char probe_usage[] =
    "usage: airlock probe [grant and limit options of `airlock --help`]\n"
    "\n"
    "Run the five-test protocol in this process against the grants given:\n"
    "  1. read a file outside every grant (a secret the probe plants)\n"
    "  2. connect to a TCP listener the probe opens on 127.0.0.1\n"
    "  3. read $" PROBE_ENV_NAME ", which the probe sets to a random secret\n"
    "  4. start a process or a shell (a marker file must not appear)\n"
    "  5. use each grant given (--allow-read, --allow-write, --mount, --scratch,\n"
    "     --allow-env, --allow-sqlite, --allow-net): each must work, checked on\n"
    "     the host (a database write is rolled back; one GET per origin)\n"
    "plus the OS sandbox of the process itself (seccomp, Landlock), unless\n"
    "--no-os-sandbox. The secret goes under $TMPDIR, /tmp, /var/tmp or /dev/shm,\n"
    "the first outside every grant. Prints a table; exit status 0 only if every\n"
    "expectation held, 1 if one did not, 2 on a usage error.\n";

/* ---- rows ------------------------------------------------------------------------ */

probe_row *probe_add(probe_ctx *c, const char *expect, const char *fmt, ...) {
    probe_row *r = &c->rows[c->nrows < PROBE_MAX_ROWS ? c->nrows++ : PROBE_MAX_ROWS - 1];
    memset(r, 0, sizeof *r);
    r->expect = expect;
    r->verdict = VERDICT_FAIL; /* until a check says otherwise */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->test, sizeof r->test, fmt, ap);
    va_end(ap);
    return r;
}

void probe_set(probe_row *r, int verdict, const char *fmt, ...) {
    r->verdict = verdict;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->detail, sizeof r->detail, fmt, ap);
    va_end(ap);
}

void probe_random_hex(char *out, size_t n) {
    unsigned char b[64];
    if (n > 2 * sizeof b) n = 2 * sizeof b;
    size_t need = (n + 1) / 2;
    if (getrandom(b, need, 0) != (ssize_t)need)
        for (size_t i = 0; i < need; i++) b[i] = (unsigned char)rand();
    for (size_t i = 0; i < n; i++) out[i] = "0123456789abcdef"[(b[i / 2] >> (i % 2 ? 0 : 4)) & 15];
    out[n] = '\0';
}

/* ---- fixtures ----------------------------------------------------------------------- */

/* Is path (resolved) at or beneath `grant` (resolved)? */
static bool beneath(const char *path, const char *grant) {
    char g[PATH_MAX];
    if (!realpath(grant, g)) return false;
    size_t n = strlen(g);
    return strcmp(g, "/") == 0 || (strncmp(path, g, n) == 0 && (path[n] == '/' || path[n] == '\0'));
}

typedef struct cover_ctx {
    const char *path;
    bool covered;
} cover_ctx;

static int cover_check(void *arg, const char *grant, bool writable) {
    (void)writable;
    cover_ctx *c = arg;
    c->covered |= beneath(c->path, grant);
    return 0;
}

/* Is path beneath a filesystem grant, or beneath a path a plugin grant
 * opens to the process (a database's directory, the resolver's files)? */
static bool covered_by_grant(const cli_options *opt, const char *path) {
    for (int i = 0; i < opt->n_grants; i++)
        if (opt->grants[i].host && beneath(path, opt->grants[i].host)) return true;
    cover_ctx c = {path, false};
    plugin_os_paths(opt, cover_check, &c);
    return c.covered;
}

/* Where the secret goes: the first temporary directory outside every grant.
 * If every one is granted, the probe still needs a directory for its marker
 * files, but the read test fails: there is no "outside" left to test. Test
 * builds can force one (AIRLOCK_TEST_PROBE_BASE) to show that the probe
 * catches a grant that does reach the secret. */
static bool make_workdir(probe_ctx *c) {
    const char *bases[] = {getenv("TMPDIR"), "/tmp", "/var/tmp", "/dev/shm"};
    size_t nbases = sizeof bases / sizeof *bases;
    bool forced = false;
#ifdef AIRLOCK_TEST_HOOKS
    if ((forced = getenv("AIRLOCK_TEST_PROBE_BASE") != NULL)) bases[0] = getenv("AIRLOCK_TEST_PROBE_BASE"), nbases = 1;
#endif
    for (int pass = forced ? 1 : 0; pass < 2; pass++) {
        for (size_t i = 0; i < nbases; i++) {
            char real[PATH_MAX];
            if (!bases[i] || !*bases[i] || !realpath(bases[i], real)) continue;
            if (strlen(real) + sizeof "/airlock-probe-XXXXXX" > sizeof c->workdir) continue;
            if (pass == 0 && covered_by_grant(&c->opt, real)) continue;
            strcpy(c->workdir, real);
            strcat(c->workdir, "/airlock-probe-XXXXXX");
            if (!mkdtemp(c->workdir)) continue;
            if (pass == 1 && !forced)
                c->plant_problem = "no temporary directory outside every grant to plant a secret in ($TMPDIR, "
                                   "/tmp, /var/tmp, /dev/shm are all granted)";
            return true;
        }
    }
    c->workdir[0] = '\0';
    c->plant_problem = "could not create a temporary directory in $TMPDIR, /tmp, /var/tmp or /dev/shm";
    return false;
}

static void plant_secret(probe_ctx *c) {
    probe_random_hex(c->secret, 32);
    setenv(PROBE_ENV_NAME, c->secret, 1);
    if (!make_workdir(c)) return;
    snprintf(c->secret_path, sizeof c->secret_path, "%s/secret.txt", c->workdir);
    snprintf(c->marker, sizeof c->marker, "%s/spawned-by-guest", c->workdir);
    snprintf(c->host_marker, sizeof c->host_marker, "%s/spawned-by-host", c->workdir);
    int fd = open(c->secret_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, c->secret, strlen(c->secret)) != (ssize_t)strlen(c->secret))
        c->plant_problem = "could not write the secret file";
    if (fd >= 0) close(fd);
}

static bool open_listener(probe_ctx *c) {
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    c->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(c->listen_fd, 16) != 0 ||
        getsockname(c->listen_fd, (struct sockaddr *)&a, &len) != 0) {
        fprintf(stderr, "airlock probe: cannot open a listener on 127.0.0.1: %s\n", strerror(errno));
        return false;
    }
    c->port = ntohs(a.sin_port);
    return true;
}

static void cleanup(probe_ctx *c) {
    if (c->listen_fd >= 0) close(c->listen_fd);
    unsetenv(PROBE_ENV_NAME);
    if (!c->workdir[0]) return;
    unlink(c->secret_path);
    unlink(c->marker);
    unlink(c->host_marker);
    if (rmdir(c->workdir) != 0)
        fprintf(stderr, "airlock probe: could not remove %s: %s\n", c->workdir, strerror(errno));
}

/* ---- the run ------------------------------------------------------------------------- */

/* The runtime exactly as `airlock` builds it from the same options. */
static int make_runtime(probe_ctx *c) {
    int rc = airlock_runtime_new(&c->rt);
    if (rc == AIRLOCK_OK) rc = airlock_runtime_set_limits(c->rt, &c->opt.limits);
    if (rc == AIRLOCK_OK) rc = options_apply_guest(&c->opt, c->rt);
    if (rc != AIRLOCK_OK) {
        fprintf(stderr, "airlock probe: %s\n", c->rt ? airlock_runtime_errmsg(c->rt) : "out of memory");
        return EXIT_PYTHON;
    }
    int status = grants_apply(&c->opt, c->rt);
    if (status < 0) status = plugins_apply(&c->opt, c->rt);
    /* the host-side check of --allow-sqlite reads the database with SQLite,
     * which must be loaded before the checks' thread enters the OS sandbox */
    char err[300];
    if (status < 0 && c->opt.n_sqlite && !sqlite_api_open(err, sizeof err)) {
        fprintf(stderr, "airlock probe: %s\n", err);
        status = EXIT_PYTHON;
    }
    return status;
}

/* The confined thread: OS sandbox first, then every check. */
static void *probe_thread(void *arg) {
    probe_ctx *c = arg;
    if (!c->opt.no_os_sandbox) c->os_rc = os_sandbox_apply(&c->opt, 0, &c->os);
    check_read_outside(c);
    check_network(c);
    check_env_secret(c);
    check_spawn(c);
    check_host_process(c);
    check_grants(c);
    return NULL;
}

static bool run_checks(probe_ctx *c) {
    pthread_attr_t attr;
    pthread_t t;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8u << 20); /* as a main thread's: deep guest recursion */
    int rc = pthread_create(&t, &attr, probe_thread, c);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        fprintf(stderr, "airlock probe: cannot start its thread: %s\n", strerror(rc));
        return false;
    }
    pthread_join(t, NULL);
    return true;
}

static int print_table(const probe_ctx *c) {
    static const char *const names[] = {"PASS", "FAIL", "SKIP"};
    int count[3] = {0};
    char os[512];
    os_sandbox_describe(&c->os, os, sizeof os);
    int grants = c->opt.n_grants + c->opt.n_env + c->opt.n_sqlite + c->opt.n_net;
    char guest[64];
    printf("airlock probe: airlock %s, %s; %d grant%s; OS sandbox: %s\n\n", AIRLOCK_VERSION,
           options_guest_title(&c->opt, guest, sizeof guest), grants, grants == 1 ? "" : "s", os);
    printf("%-6s %-9s %-52s %s\n", "RESULT", "EXPECTED", "TEST", "DETAIL");
    for (int i = 0; i < c->nrows; i++) {
        const probe_row *r = &c->rows[i];
        count[r->verdict]++;
        printf("%-6s %-9s %-52s %s\n", names[r->verdict], r->expect, r->test, r->detail);
    }
    printf("\n%d passed, %d failed, %d skipped\n", count[VERDICT_PASS], count[VERDICT_FAIL], count[VERDICT_SKIP]);
    return count[VERDICT_FAIL] ? EXIT_PYTHON : EXIT_OK;
}

/* The options of a plain run, minus what makes no sense here. */
static int parse(int argc, char **argv, cli_options *opt) {
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(probe_usage, stdout);
            return EXIT_OK;
        }
    int status = options_parse(argc, argv, opt);
    if (status >= 0) return status;
    if (opt->mode == RUN_CODE || opt->file || opt->json || opt->session) {
        fprintf(stderr, "airlock probe: takes grant and limit options only (no program, -c, --json or --session)\n"
                        "Try 'airlock probe --help'.\n");
        return EXIT_USAGE;
    }
    return -1;
}

int probe_main(int argc, char **argv) {
    static probe_ctx c; /* large (the rows); one per process */
    c.listen_fd = -1;
    int status = parse(argc, argv, &c.opt);
    if (status < 0 && !open_listener(&c)) status = EXIT_PYTHON;
    if (status < 0) {
        plant_secret(&c);
        status = make_runtime(&c);
    }
    if (status < 0) status = run_checks(&c) ? print_table(&c) : EXIT_PYTHON;
    airlock_runtime_free(c.rt);
    cleanup(&c);
    grants_free_options(&c.opt);
    return status;
}
