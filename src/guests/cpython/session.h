/*
 * session.h - the CPython guest's sessions (session.c): guest_ops.clone,
 * save and load (guest.h).
 */
#ifndef AIRLOCK_CPYTHON_SESSION_H
#define AIRLOCK_CPYTHON_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "airlock.h"

struct airlock_vm;

int cpython_session_clone(airlock_runtime *rt, struct airlock_vm *src, struct airlock_vm **out, char *err,
                          size_t errsize);
bool cpython_session_save(int fd, struct airlock_vm *vm, airlock_runtime *rt);
int cpython_session_load(airlock_runtime *rt, int fd, const void *mem, uint64_t len, struct airlock_vm **out,
                         char *why, size_t whysize);

#endif
