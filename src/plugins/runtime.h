/*
 * runtime.h - what plugins/ needs of a runtime, without its layout
 * (sandbox.c implements it).
 *
 * The sandbox layer calls the registry through plugins/host.h; the
 * registry reaches back only through these functions, so neither side
 * includes the other's internals.
 */
#ifndef AIRLOCK_PLUGINS_RUNTIME_H
#define AIRLOCK_PLUGINS_RUNTIME_H

#include <pthread.h>
#include <stdbool.h>

#include "airlock.h"

struct host_registry;

/* Where rt keeps its registry (NULL until the first registration). */
struct host_registry **runtime_registry(airlock_runtime *rt);
/* The lock that guards registering, granting and booting. */
pthread_mutex_t *runtime_lock(airlock_runtime *rt);
/* The guest has booted: grants and plugins are frozen. */
bool runtime_booted(const airlock_runtime *rt);
/* Record a message on rt and return code. */
int runtime_fail(airlock_runtime *rt, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
