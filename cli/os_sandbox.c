/*
 * os_sandbox.c - seccomp and Landlock around the airlock process itself.
 *
 * The guest is confined by WebAssembly: it reaches the host only through
 * the imports airlock implements. This file is the second wall, for the day
 * one of those imports has a bug that hands the guest control of the host
 * process: from then on the process cannot start programs, cannot trace
 * others, cannot open network sockets (unless a network grant needs them)
 * and cannot open files outside the paths it was told to serve.
 *
 * seccomp (libseccomp) is a deny list on an allow-by-default filter, so a
 * libc that needs some unusual call still works; each denial returns an
 * errno (EPERM for processes, EACCES for sockets) instead of killing, so a
 * refused call is a clean error. Threads stay possible (clone with
 * CLONE_THREAD) because the MCP server watches stdin on a thread; clone3 is
 * answered ENOSYS because a filter cannot read its flags, and glibc then
 * falls back to clone, whose flags it can.
 *
 * Landlock, where the kernel has it, handles every filesystem right its ABI
 * knows and allows only: the granted paths (read-only ones for reading,
 * writable ones for writing too), the directory of --session FILE (the save
 * writes a temporary file beside FILE and renames it), and the program file.
 * Everything else was opened during start-up (libraries, grants, the audit
 * log, the session being loaded) and open descriptors keep working. With
 * ABI 4 and no network grant it also refuses TCP bind and connect; with ABI 6
 * it scopes signals and abstract Unix sockets to the process.
 */
#include "os_sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Sanitizer runtimes trace the process at exit (LeakSanitizer's ptrace
 * helper, /proc reads): under them the OS layer stays off, and says so. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define SANITIZER_BUILD 1
#endif
#endif
#ifndef SANITIZER_BUILD
#define SANITIZER_BUILD 0
#endif

/* ---- Landlock definitions newer than the installed kernel headers ---------- */

#ifndef LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#define LL_NET_BIND_TCP (1ULL << 0)
#define LL_NET_CONNECT_TCP (1ULL << 1)
#define LL_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#define LL_SCOPE_SIGNAL (1ULL << 1)

/* The ruleset attribute as of ABI 6; the kernel accepts a longer struct
 * than it knows as long as the fields it does not know are zero. */
struct ll_ruleset_attr {
    uint64_t handled_access_fs;
    uint64_t handled_access_net;
    uint64_t scoped;
};

#define LL_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define LL_WRITE                                                                                              \
    (LL_READ | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | \
     LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_REFER |                    \
     LANDLOCK_ACCESS_FS_TRUNCATE)
/* Beside a session file: create the temporary file, write it, rename it
 * over FILE (which removes the old one). */
#define LL_SESSION                                                                                          \
    (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_MAKE_REG |          \
     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
/* Rights that make sense on a file (the kernel refuses others there). */
#define LL_FILE_RIGHTS                                                                                      \
    (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_READ_FILE |          \
     LANDLOCK_ACCESS_FS_TRUNCATE | LANDLOCK_ACCESS_FS_IOCTL_DEV)

static int landlock_abi(void) {
    long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return v < 0 ? 0 : (int)v;
}

/* Every filesystem right this ABI can handle (so every one is denied
 * unless a rule gives it back). */
static uint64_t fs_rights(int abi) {
    uint64_t r = (LANDLOCK_ACCESS_FS_MAKE_SYM << 1) - 1;
    if (abi >= 2) r |= LANDLOCK_ACCESS_FS_REFER;
    if (abi >= 3) r |= LANDLOCK_ACCESS_FS_TRUNCATE;
    if (abi >= 5) r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
    return r;
}

/* Give `access` on path (and beneath it) back. A path that has gone since
 * start-up simply stays denied. */
static int allow_path(int ruleset, const char *path, uint64_t access, uint64_t handled) {
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) return 0;
    struct stat st;
    int rc = fstat(fd, &st);
    if (rc == 0) {
        struct landlock_path_beneath_attr attr = {.allowed_access = access & handled, .parent_fd = fd};
        if (!S_ISDIR(st.st_mode)) attr.allowed_access &= LL_FILE_RIGHTS;
        rc = (int)syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &attr, 0);
    }
    int saved = errno;
    close(fd);
    errno = saved;
    return rc == 0 ? 1 : -1;
}

/* "dir/file" -> "dir"; "file" -> "."; "/file" -> "/". Into buf. */
static const char *dir_of(const char *path, char *buf, size_t n) {
    const char *slash = strrchr(path, '/');
    if (!slash) return ".";
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    if (len >= n) return NULL;
    memcpy(buf, path, len);
    buf[len] = '\0';
    return buf;
}

/* Whether the process keeps network sockets: only for a network grant. */
static bool needs_sockets(const cli_options *opt) { return opt->n_net > 0; }

typedef struct rule_ctx {
    int ruleset;
    uint64_t handled;
    int n;
} rule_ctx;

/* plugin_os_paths: the sqlite databases' directories, the resolver's and
 * TLS's files for a network grant. */
static int add_plugin_path(void *arg, const char *path, bool writable) {
    rule_ctx *c = arg;
    int rc = allow_path(c->ruleset, path, writable ? LL_WRITE : LL_READ, c->handled);
    if (rc < 0) return -1;
    c->n += rc;
    return 0;
}

/* Each path the process still opens after start-up, with its rights;
 * returns how many rules were added, or -1. */
static int add_rules(int ruleset, const cli_options *opt, uint64_t handled) {
    int n = 0, rc;
    for (int i = 0; i < opt->n_grants; i++) {
        const cli_grant *g = &opt->grants[i];
        if (!g->host) continue; /* scratch lives in memory */
        if ((rc = allow_path(ruleset, g->host, g->mode == AIRLOCK_MOUNT_WRITE ? LL_WRITE : LL_READ, handled)) < 0)
            return -1;
        n += rc;
    }
    char dir[4096];
    const char *sdir = opt->session ? dir_of(opt->session, dir, sizeof dir) : NULL;
    if (sdir) {
        if ((rc = allow_path(ruleset, sdir, LL_SESSION, handled)) < 0) return -1;
        n += rc;
    }
    if (opt->mode == RUN_FILE && opt->file) {
        if ((rc = allow_path(ruleset, opt->file, LANDLOCK_ACCESS_FS_READ_FILE, handled)) < 0) return -1;
        n += rc;
    }
    rule_ctx ctx = {ruleset, handled, 0};
    if (plugin_os_paths(opt, add_plugin_path, &ctx) != 0) return -1;
    return n + ctx.n;
}

static int apply_landlock(const cli_options *opt, os_sandbox_status *st) {
    st->landlock_abi = landlock_abi();
    if (st->landlock_abi == 0) {
        snprintf(st->why, sizeof st->why, "Landlock is not available in this kernel");
        return 0;
    }
    struct ll_ruleset_attr attr = {.handled_access_fs = fs_rights(st->landlock_abi)};
    if (st->landlock_abi >= 4 && !needs_sockets(opt)) attr.handled_access_net = LL_NET_BIND_TCP | LL_NET_CONNECT_TCP;
    if (st->landlock_abi >= 6) attr.scoped = LL_SCOPE_ABSTRACT_UNIX_SOCKET | LL_SCOPE_SIGNAL;
    int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
    if (ruleset < 0) {
        snprintf(st->why, sizeof st->why, "Landlock ruleset refused: %s", strerror(errno));
        return -1;
    }
    int n = add_rules(ruleset, opt, attr.handled_access_fs);
    int rc = n < 0 ? -1 : 0;
    if (rc == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) rc = -1;
    if (rc == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) rc = -1;
    if (rc != 0) snprintf(st->why, sizeof st->why, "Landlock not enforced: %s", strerror(errno));
    close(ruleset);
    st->landlock = rc == 0;
    st->rules = n < 0 ? 0 : n;
    return rc;
}

/* ---- seccomp ------------------------------------------------------------------ */

/* Calls refused outright. Names, so that a syscall an architecture lacks
 * (fork on arm64) is skipped instead of failing the whole filter. */
static const struct {
    const char *name;
    int err;
} denied_calls[] = {
    {"execve", EPERM},         {"execveat", EPERM},          {"fork", EPERM},
    {"vfork", EPERM},          {"ptrace", EPERM},            {"process_vm_readv", EPERM},
    {"process_vm_writev", EPERM},
    /* io_uring runs opens, connects and sockets where seccomp cannot see */
    {"io_uring_setup", EPERM}, {"clone3", ENOSYS},
};

static int deny(scmp_filter_ctx ctx, const char *name, int err, unsigned n_args, const struct scmp_arg_cmp *arg) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) return 0;
    return n_args ? seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(err), nr, n_args, arg)
                  : seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
}

static int build_filter(scmp_filter_ctx ctx, bool sockets, bool all_threads) {
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof denied_calls / sizeof *denied_calls; i++)
        rc = deny(ctx, denied_calls[i].name, denied_calls[i].err, 0, NULL);
    /* clone without CLONE_THREAD makes a process (fork, posix_spawn) */
    struct scmp_arg_cmp not_thread = SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0);
    if (rc == 0) rc = deny(ctx, "clone", EPERM, 1, &not_thread);
    if (rc == 0 && !sockets) rc = deny(ctx, "socket", EACCES, 0, NULL);
    if (rc == 0 && all_threads) rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
    return rc;
}

static int apply_seccomp(const cli_options *opt, unsigned flags, os_sandbox_status *st) {
    st->sockets = needs_sockets(opt);
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    int rc = ctx ? build_filter(ctx, st->sockets, flags & OS_SANDBOX_ALL_THREADS) : -ENOMEM;
    if (rc == 0) rc = seccomp_load(ctx);
    seccomp_release(ctx);
    if (rc != 0) {
        snprintf(st->why, sizeof st->why, "seccomp filter not installed: %s", strerror(-rc));
        return -1;
    }
    st->seccomp = true;
    return 0;
}

int os_sandbox_apply(const cli_options *opt, unsigned flags, os_sandbox_status *st) {
    memset(st, 0, sizeof *st);
    st->requested = true;
    if (SANITIZER_BUILD) {
        snprintf(st->why, sizeof st->why, "off in sanitizer builds (their leak checker traces the process)");
        return 0;
    }
    /* Landlock first: its own calls are then made before the filter. */
    int rc = apply_landlock(opt, st);
    char landlock_why[sizeof st->why];
    memcpy(landlock_why, st->why, sizeof landlock_why);
    if (apply_seccomp(opt, flags, st) != 0) rc = -1;
    else memcpy(st->why, landlock_why, sizeof st->why); /* keep the Landlock note */
    return rc;
}

void os_sandbox_describe(const os_sandbox_status *st, char *buf, size_t n) {
    if (!st->requested) {
        snprintf(buf, n, "off (--no-os-sandbox)");
        return;
    }
    char ll[96];
    if (st->landlock)
        snprintf(ll, sizeof ll, "Landlock ABI %d on (%d path%s)", st->landlock_abi, st->rules, st->rules == 1 ? "" : "s");
    else
        snprintf(ll, sizeof ll, "Landlock off");
    snprintf(buf, n, "seccomp %s%s, %s%s%s", st->seccomp ? "on" : "off",
             st->seccomp && st->sockets ? " (sockets allowed: network grant)" : "", ll, *st->why ? ": " : "",
             st->why);
}

/* ---- the test hook ------------------------------------------------------------ */

#ifdef AIRLOCK_TEST_HOOKS
void os_sandbox_test_hook(const char *who);
#else
static void os_sandbox_test_hook(const char *who) { (void)who; }
#endif

void os_sandbox_enter(const cli_options *opt, const char *who) {
    /* jansson seeds its hash function from /dev/urandom when it makes its
     * first object (--json, MCP): do it while the file can still be read. */
    json_object_seed(0);
    os_sandbox_status st = {0};
    int rc = opt->no_os_sandbox ? 0 : os_sandbox_apply(opt, OS_SANDBOX_ALL_THREADS, &st);
    if (rc != 0 || opt->verbose) {
        char line[512];
        os_sandbox_describe(&st, line, sizeof line);
        fprintf(stderr, "%s: OS sandbox: %s\n", who, line);
    }
    os_sandbox_test_hook(who);
}
