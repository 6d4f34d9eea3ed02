/*
 * grants.h - the filesystem a runtime grants its sandboxes (grants.c).
 */
#ifndef AIRLOCK_GRANTS_H
#define AIRLOCK_GRANTS_H

#include "airlock.h"
#include "vfs/vfs.h"

/* A new sandbox's vfs: a clone of rt's granted mounts (fresh scratch trees,
 * shared host grants), or an empty vfs when rt is NULL or grants nothing. */
vfs *grants_new_vfs(const airlock_runtime *rt);
/* Drop rt's grants (airlock_runtime_free). */
void grants_free(airlock_runtime *rt);

#endif
