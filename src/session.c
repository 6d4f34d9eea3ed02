/*
 * session.c - clone a sandbox, save a session to a file or a buffer, load
 * it back: the API, for every guest. What a session image holds is the
 * guest's (guest.h: src/guests/micropython/image.c,
 * src/guests/cpython/session.c), in the checked container of
 * src/runtime/image.c; here are the files around it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guests/guest.h"
#include "sandbox.h"
#include "session.h"

/* AIRLOCK_MISUSE unless sb's guest has sessions. */
static int sessions_refused(airlock_sandbox *sb) {
    return sandbox_fail(sb, AIRLOCK_MISUSE, "sessions (save, load, clone) are not available for the %s guest yet",
                        sb->rt->guest->name);
}

/* ---- clone --------------------------------------------------------------- */

static int make_clone(airlock_runtime *rt, void *arg, airlock_vm **vm, char *err, size_t errsize) {
    return rt->guest->clone(rt, arg, vm, err, errsize);
}

int airlock_sandbox_clone(airlock_sandbox *sb, airlock_sandbox **out) {
    if (!sb || !sb->vm || !out) return AIRLOCK_MISUSE;
    if (!sb->rt->guest->clone) return sessions_refused(sb);
    int rc = sandbox_create(sb->rt, make_clone, sb->vm, out);
    if (rc == AIRLOCK_OK) {
        (*out)->vm->limits = sb->vm->limits;
        (*out)->vm->mem_limit = sb->vm->mem_limit;
    } else {
        sandbox_fail(sb, rc, "cannot clone: %s", airlock_sandbox_errmsg(*out));
    }
    return rc;
}

/* ---- save ------------------------------------------------------------------ */

int airlock_sandbox_save(airlock_sandbox *sb, const char *path) {
    if (!sb || !sb->vm || !path) return AIRLOCK_MISUSE;
    if (!sb->rt->guest->save) return sessions_refused(sb);
    /* Write beside the target, then rename: the file is either the old
     * session or the new one, never a mix. */
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) return sandbox_fail(sb, AIRLOCK_NOMEM, "out of memory");
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = sandbox_fail(sb, AIRLOCK_IOERR, "cannot create a file beside %s: %s", path, strerror(errno));
        free(tmp);
        return rc;
    }
    bool ok = sb->rt->guest->save(fd, sb->vm, sb->rt) && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) != 0) ok = false;
    int rc = AIRLOCK_OK;
    if (!ok) {
        rc = sandbox_fail(sb, AIRLOCK_IOERR, "cannot write session %s: %s", path, strerror(errno));
        unlink(tmp);
    }
    free(tmp);
    return rc;
}

/* A session image in memory: written to an anonymous file (the guest's
 * writer needs a seekable descriptor), then read back whole. */
int airlock_sandbox_save_buffer(airlock_sandbox *sb, void **out, size_t *len) {
    if (!sb || !sb->vm || !out || !len) return AIRLOCK_MISUSE;
    *out = NULL;
    *len = 0;
    if (!sb->rt->guest->save) return sessions_refused(sb);
    int fd = memfd_create("airlock-session", MFD_CLOEXEC);
    if (fd < 0) return sandbox_fail(sb, AIRLOCK_IOERR, "cannot create an in-memory file: %s", strerror(errno));
    struct stat st;
    if (!sb->rt->guest->save(fd, sb->vm, sb->rt) || fstat(fd, &st) != 0) {
        int rc = sandbox_fail(sb, AIRLOCK_IOERR, "cannot write the session: %s", strerror(errno));
        close(fd);
        return rc;
    }
    uint8_t *buf = malloc((size_t)st.st_size);
    bool read_ok = buf && pread(fd, buf, (size_t)st.st_size, 0) == st.st_size;
    close(fd);
    if (!read_ok) {
        int rc = buf ? AIRLOCK_IOERR : AIRLOCK_NOMEM;
        free(buf);
        return sandbox_fail(sb, rc, "cannot read the session back");
    }
    *out = buf;
    *len = (size_t)st.st_size;
    return AIRLOCK_OK;
}

void airlock_buffer_free(void *buf) { free(buf); }

/* ---- load ------------------------------------------------------------------ */

void session_sha_bytes(const char *hex, uint8_t out[32]) {
    for (int i = 0; i < 32; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
}

/* The guest other than rt's that wrote an image with this header, or
 * NULL (rt's own, or no guest's: its reader says why). */
static const guest_ops *foreign_guest(const airlock_runtime *rt, const file_header *h) {
    if (memcmp(h->magic, SESSION_MAGIC, sizeof h->magic) != 0) return NULL;
    for (const guest_ops *const *g = guest_all(); *g; g++) {
        uint8_t sha[32];
        session_sha_bytes((*g)->sha256, sha);
        if (memcmp(sha, h->guest_sha256, sizeof sha) == 0) return *g == rt->guest ? NULL : *g;
    }
    return NULL;
}

/* The header of an image from fd or mem, when it is that long. */
static bool peek_header(int fd, const void *mem, uint64_t len, file_header *h) {
    if (len < sizeof *h) return false;
    if (fd < 0) {
        memcpy(h, mem, sizeof *h);
        return true;
    }
    return pread(fd, h, sizeof *h, 0) == (ssize_t)sizeof *h;
}

typedef struct load_args {
    int fd;               /* -1: from mem */
    const void *mem;
    uint64_t len;
    const char *what;     /* the file's name for messages, or NULL */
} load_args;

static int make_loaded(airlock_runtime *rt, void *arg, airlock_vm **vm, char *err, size_t errsize) {
    const load_args *la = arg;
    char why[160] = "";
    int rc = rt->guest->load(rt, la->fd, la->mem, la->len, vm, why, sizeof why);
    if (rc == AIRLOCK_CORRUPT || (rc == AIRLOCK_IOERR && why[0]))
        snprintf(err, errsize, "session%s%s %s: %s", la->what ? " " : "", la->what ? la->what : "",
                 rc == AIRLOCK_CORRUPT ? "refused" : "unreadable", why);
    return rc;
}

static int load(airlock_runtime *rt, const load_args *la, airlock_sandbox **out) {
    file_header h;
    const guest_ops *other = peek_header(la->fd, la->mem, la->len, &h) ? foreign_guest(rt, &h) : NULL;
    if (other)
        return sandbox_create_failed(rt, out, AIRLOCK_CORRUPT, "session%s%s refused: saved by the %s guest, and this "
                                     "runtime runs %s", la->what ? " " : "", la->what ? la->what : "", other->name,
                                     rt->guest->name);
    if (!rt->guest->load)
        return sandbox_create_failed(rt, out, AIRLOCK_MISUSE, "sessions are not available for the %s guest yet",
                                     rt->guest->name);
    return sandbox_create(rt, make_loaded, (void *)la, out);
}

int airlock_sandbox_load_buffer(airlock_runtime *rt, const void *data, size_t len, airlock_sandbox **out) {
    if (!rt || !out || (!data && len)) return AIRLOCK_MISUSE;
    *out = NULL;
    load_args la = {.fd = -1, .mem = data, .len = len};
    return load(rt, &la, out);
}

int airlock_sandbox_load(airlock_runtime *rt, const char *path, airlock_sandbox **out) {
    if (!rt || !path || !out) return AIRLOCK_MISUSE;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return sandbox_create_failed(rt, out, AIRLOCK_IOERR, "cannot open session %s: %s", path, strerror(errno));
    struct stat st;
    int rc;
    if (fstat(fd, &st) != 0)
        rc = sandbox_create_failed(rt, out, AIRLOCK_IOERR, "cannot read session %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = sandbox_create_failed(rt, out, AIRLOCK_CORRUPT, "session %s refused: not a regular file", path);
    else if (st.st_size == 0)
        rc = sandbox_create_failed(rt, out, AIRLOCK_CORRUPT, "session %s is empty", path);
    else
        rc = load(rt, &(load_args){.fd = fd, .len = (uint64_t)st.st_size, .what = path}, out);
    close(fd);
    return rc;
}
