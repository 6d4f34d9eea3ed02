/*
 * hostdir.h - a host directory or file served to the guest (hostdir.c).
 */
#ifndef AIRLOCK_VFS_HOSTDIR_H
#define AIRLOCK_VFS_HOSTDIR_H

#include <stdbool.h>
#include <stddef.h>

#include "vfs/vfs.h"

typedef struct hostdir hostdir;

/*
 * Open host_path (a directory or a regular file) as a grant, read-only or
 * read-write. NULL with a message in err if it cannot be granted. Mount the
 * result with vfs_mount(v, guest_path, &vfs_hostdir_ops, h), or drop it with
 * vfs_hostdir_ops.release(h).
 */
hostdir *vfs_hostdir_new(const char *host_path, bool writable, char *err, size_t errsize);

extern const vfs_backend_ops vfs_hostdir_ops;

#endif
