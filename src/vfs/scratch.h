/*
 * scratch.h - a private in-memory directory tree with a byte budget (scratch.c).
 */
#ifndef AIRLOCK_VFS_SCRATCH_H
#define AIRLOCK_VFS_SCRATCH_H

#include <stdint.h>

#include "vfs/vfs.h"

typedef struct scratch scratch;

/* An empty tree that may hold `limit` bytes (contents plus a small charge
 * per file and directory); NULL on OOM. Mount it with
 * vfs_mount(v, path, &vfs_scratch_ops, s). Cloning gives an empty tree. */
scratch *vfs_scratch_new(uint64_t limit);
/* Bytes charged so far (for tests). */
uint64_t vfs_scratch_used(const scratch *s);

extern const vfs_backend_ops vfs_scratch_ops;

#endif
