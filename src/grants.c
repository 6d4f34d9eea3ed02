/*
 * grants.c - airlock_runtime_mount and airlock_runtime_scratch.
 *
 * A runtime keeps its grants as a template vfs holding only the granted
 * mounts. Every sandbox starts from a clone of it: host grants are shared
 * (immutable, reference counted), scratch trees are fresh and empty. The
 * template is never seen by a guest, and it is frozen once the first
 * sandbox exists, so what a sandbox can reach never changes under it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "grants.h"
#include "sandbox.h"
#include "vfs/hostdir.h"
#include "vfs/scratch.h"

/* The embedded library's mount point (sandbox.c mounts it on every vfs). */
#define LIB_PATH "/lib"

static int grant_fail(airlock_runtime *rt, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int grant_fail(airlock_runtime *rt, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->errmsg, sizeof rt->errmsg, fmt, ap);
    va_end(ap);
    return code;
}

/* Check the guest path; 0 or an AIRLOCK_* code with the message set. */
static int check_guest_path(airlock_runtime *rt, const char *guest_path, char norm[VFS_PATH_MAX]) {
    if (guest_path[0] != '/')
        return grant_fail(rt, AIRLOCK_MISUSE, "guest path '%.300s' must be absolute", guest_path);
    if (vfs_normalize("/", guest_path, norm) != 0)
        return grant_fail(rt, AIRLOCK_MISUSE, "guest path '%.300s' is too long", guest_path);
    if (strcmp(norm, LIB_PATH) == 0)
        return grant_fail(rt, AIRLOCK_MISUSE, "guest path " LIB_PATH " is reserved for airlock's own library");
    return AIRLOCK_OK;
}

/*
 * Mount (ops, self) at norm in rt's template, under rt->lock. Takes
 * ownership of self whatever happens.
 */
static int add_mount(airlock_runtime *rt, const char *norm, const vfs_backend_ops *ops, void *self) {
    pthread_mutex_lock(&rt->lock);
    int rc = AIRLOCK_OK;
    if (rt->booted) {
        rc = grant_fail(rt, AIRLOCK_MISUSE, "grants must be made before the first sandbox is created");
    } else if (!rt->grants && !(rt->grants = vfs_new())) {
        rc = grant_fail(rt, AIRLOCK_NOMEM, "out of memory");
    }
    if (rc != AIRLOCK_OK) {
        ops->release(self);
    } else {
        int err = vfs_mount(rt->grants, norm, ops, self);
        if (err == -VFS_EEXIST)
            rc = grant_fail(rt, AIRLOCK_MISUSE, "something is already mounted at %.300s", norm);
        else if (err == -VFS_ENOSPC)
            rc = grant_fail(rt, AIRLOCK_MISUSE, "too many grants");
        else if (err)
            rc = grant_fail(rt, AIRLOCK_NOMEM, "cannot mount at %.300s", norm);
    }
    pthread_mutex_unlock(&rt->lock);
    return rc;
}

/* Cheap early refusal, so a late grant does not even touch the host path. */
static bool frozen(airlock_runtime *rt) {
    pthread_mutex_lock(&rt->lock);
    bool f = rt->booted;
    pthread_mutex_unlock(&rt->lock);
    return f;
}

int airlock_runtime_mount(airlock_runtime *rt, const char *host_path, const char *guest_path, int flags) {
    if (!rt) return AIRLOCK_MISUSE;
    if (!host_path || !guest_path || !*host_path)
        return grant_fail(rt, AIRLOCK_MISUSE, "a mount needs a host path and a guest path");
    if (flags != AIRLOCK_MOUNT_READ && flags != AIRLOCK_MOUNT_WRITE)
        return grant_fail(rt, AIRLOCK_MISUSE, "mount flags must be AIRLOCK_MOUNT_READ or AIRLOCK_MOUNT_WRITE");
    if (frozen(rt)) return grant_fail(rt, AIRLOCK_MISUSE, "grants must be made before the first sandbox is created");
    char norm[VFS_PATH_MAX];
    int rc = check_guest_path(rt, guest_path, norm);
    if (rc) return rc;
    char err[400];
    hostdir *h = vfs_hostdir_new(host_path, flags == AIRLOCK_MOUNT_WRITE, err, sizeof err);
    if (!h) return grant_fail(rt, AIRLOCK_DENIED, "%s", err);
    return add_mount(rt, norm, &vfs_hostdir_ops, h);
}

int airlock_runtime_scratch(airlock_runtime *rt, const char *guest_path, uint64_t bytes) {
    if (!rt) return AIRLOCK_MISUSE;
    if (!guest_path) return grant_fail(rt, AIRLOCK_MISUSE, "scratch needs a guest path");
    if (bytes == 0) return grant_fail(rt, AIRLOCK_MISUSE, "scratch size must be above zero");
    if (frozen(rt)) return grant_fail(rt, AIRLOCK_MISUSE, "grants must be made before the first sandbox is created");
    char norm[VFS_PATH_MAX];
    int rc = check_guest_path(rt, guest_path, norm);
    if (rc) return rc;
    scratch *s = vfs_scratch_new(bytes);
    if (!s) return grant_fail(rt, AIRLOCK_NOMEM, "out of memory");
    return add_mount(rt, norm, &vfs_scratch_ops, s);
}

vfs *grants_new_vfs(const airlock_runtime *rt) {
    return rt && rt->grants ? vfs_clone(rt->grants) : vfs_new();
}

void grants_free(airlock_runtime *rt) {
    vfs_free(rt->grants);
    rt->grants = NULL;
}
