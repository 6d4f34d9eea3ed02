/*
 * qstr.h - the host's hash index of the guest's interned strings.
 *
 * The patched guest's qstr_find_strn asks the host first (import
 * airlock.qstr_find, guests/patch/qstrfind.c). The index is built lazily
 * from the pool chain in guest memory and checked against it on every call:
 * see qstr.c for what is trusted and what is not.
 */
#ifndef AIRLOCK_RUNTIME_QSTR_H
#define AIRLOCK_RUNTIME_QSTR_H

struct airlock_vm;

/* Guest memory went back to an earlier state (rollback): rebuild on next use. */
void qstr_index_reset(struct airlock_vm *vm);
void qstr_index_free(struct airlock_vm *vm);

#endif
