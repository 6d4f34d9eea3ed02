/*
 * grants.c - the filesystem grant flags, Deno-style, all off by default:
 *
 *   --allow-read PATH         a file or directory, read-only, at the same path
 *   --allow-write PATH        a directory, read-write, at the same path
 *   --mount HOST:GUEST[:rw]   HOST shown at GUEST (read-only unless :rw)
 *   --scratch SIZE            a private in-memory writable /tmp of SIZE bytes
 *
 * "The same path" is PATH made absolute lexically against the working
 * directory, so the guest uses the path the user typed; the host side is
 * opened by the kernel as given, once, when the grant is made.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"

#define PATH_CAP 4096

static int grant_usage(const char *flag, const char *arg, const char *why) {
    fprintf(stderr, "airlock: %s '%s': %s\nTry 'airlock --help'.\n", flag, arg, why);
    return EXIT_USAGE;
}

/*
 * Absolute, lexically normalised form of path (against the working
 * directory when relative): no ".", "..", "//" or trailing '/'. NULL on a
 * path too long or no memory.
 */
static char *absolute_path(const char *path) {
    char cwd[PATH_CAP] = "/";
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd)) return NULL;
    size_t cap = strlen(cwd) + strlen(path) + 3, n = 0;
    if (cap > PATH_CAP) return NULL;
    char *out = malloc(cap);
    if (!out) return NULL;
    const char *parts[2] = {path[0] == '/' ? "" : cwd, path};
    for (int p = 0; p < 2; p++) {
        for (const char *s = parts[p]; *s;) {
            while (*s == '/') s++;
            size_t len = strcspn(s, "/");
            if (len == 2 && s[0] == '.' && s[1] == '.') {
                while (n > 0 && out[n - 1] != '/') n--;
                if (n > 0) n--;
            } else if (len && !(len == 1 && s[0] == '.')) {
                out[n++] = '/';
                memcpy(out + n, s, len);
                n += len;
            }
            s += len;
        }
    }
    if (n == 0) out[n++] = '/';
    out[n] = '\0';
    return out;
}

static int add_grant(cli_options *opt, const char *flag, const char *arg, cli_grant g) {
    if (!g.guest) return grant_usage(flag, arg, "path too long");
    if (opt->n_grants == CLI_MAX_GRANTS) {
        free(g.guest);
        return grant_usage(flag, arg, "too many grants");
    }
    g.flag = flag;
    opt->grants[opt->n_grants++] = g;
    return -1;
}

/* HOST:GUEST[:rw|:ro] -> grant. GUEST starts at the last ":/". */
static int mount_option(cli_options *opt, const char *flag, const char *arg) {
    size_t len = strlen(arg);
    int mode = AIRLOCK_MOUNT_READ;
    if (len > 3 && (strcmp(arg + len - 3, ":rw") == 0 || strcmp(arg + len - 3, ":ro") == 0)) {
        mode = arg[len - 2] == 'r' && arg[len - 1] == 'w' ? AIRLOCK_MOUNT_WRITE : AIRLOCK_MOUNT_READ;
        len -= 3;
    }
    const char *sep = NULL;
    for (const char *p = arg; p + 1 < arg + len; p++)
        if (p[0] == ':' && p[1] == '/') sep = p;
    if (!sep || sep == arg)
        return grant_usage(flag, arg, "expected HOST:GUEST[:rw] with an absolute GUEST path");
    char *host = strndup(arg, (size_t)(sep - arg));
    char *guest_raw = strndup(sep + 1, (size_t)(arg + len - sep - 1));
    char *guest = guest_raw ? absolute_path(guest_raw) : NULL;
    free(guest_raw);
    if (!host || !guest) {
        free(host);
        free(guest);
        return grant_usage(flag, arg, "path too long");
    }
    /* the host string lives as long as argv; keep ours for the same time */
    return add_grant(opt, flag, arg, (cli_grant){.host = host, .guest = guest, .mode = mode, .owns_host = true});
}

int grant_option(cli_options *opt, const char *flag, const char *arg) {
    if (strcmp(flag, "--mount") == 0) return mount_option(opt, flag, arg);
    if (strcmp(flag, "--scratch") == 0) {
        uint64_t bytes;
        if (!parse_size(arg, &bytes) || bytes == 0)
            return grant_usage(flag, arg, "not a size (examples: 64M, 512K, 1G)");
        return add_grant(opt, flag, arg, (cli_grant){.guest = strdup("/tmp"), .scratch_bytes = bytes});
    }
    if (!*arg) return grant_usage(flag, arg, "empty path");
    bool write = strcmp(flag, "--allow-write") == 0;
    struct stat st;
    if (stat(arg, &st) != 0) return grant_usage(flag, arg, strerror(errno));
    if (write && !S_ISDIR(st.st_mode)) return grant_usage(flag, arg, "not a directory (--allow-write takes a directory)");
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return grant_usage(flag, arg, "not a regular file or a directory");
    return add_grant(opt, flag, arg,
                     (cli_grant){.host = arg, .guest = absolute_path(arg),
                                 .mode = write ? AIRLOCK_MOUNT_WRITE : AIRLOCK_MOUNT_READ});
}

int grants_apply(const cli_options *opt, airlock_runtime *rt) {
    for (int i = 0; i < opt->n_grants; i++) {
        const cli_grant *g = &opt->grants[i];
        int rc = g->host ? airlock_runtime_mount(rt, g->host, g->guest, g->mode)
                         : airlock_runtime_scratch(rt, g->guest, g->scratch_bytes);
        if (rc != AIRLOCK_OK) {
            fprintf(stderr, "airlock: %s: %s\n", g->flag, airlock_runtime_errmsg(rt));
            return EXIT_USAGE;
        }
    }
    /* With filesystem grants, relative paths in guest code mean what they
     * mean on the host: start in the host's working directory when the
     * guest can see it (a grant or an ancestor of one). */
    char cwd[4096];
    if (opt->n_grants && getcwd(cwd, sizeof cwd)) airlock_runtime_chdir(rt, cwd);
    return -1;
}

void grants_free_options(cli_options *opt) {
    for (int i = 0; i < opt->n_grants; i++) {
        free(opt->grants[i].guest);
        if (opt->grants[i].owns_host) free((char *)opt->grants[i].host);
    }
    opt->n_grants = 0;
}
