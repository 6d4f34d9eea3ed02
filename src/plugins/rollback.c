/*
 * rollback.c - the host follows the guest when an execution is rolled back.
 *
 * After a hard stop or a trap the guest's memory goes back to its state
 * before the execution (or to the snapshot), so the guest no longer knows
 * of what the execution's host calls opened. Those resources are closed
 * with it: files and directory listings (the vfs's descriptor table and
 * cwd are put back as they were), SQLite connections, cursors and the
 * transaction the execution began, and whatever plugins made (their
 * rollback hook). What earlier executions opened stays open.
 */
#include "plugins/host.h"
#include "plugins/runtime.h"

void host_exec_begin(airlock_vm *vm) {
    vfs_begin(vm->vfs);
    host_registry *reg = vm->host;
    if (!reg) return;
    vm->exec_id = atomic_fetch_add(&reg->exec_seq, 1) + 1;
    for (size_t i = 0; i < reg->nbuiltins; i++)
        if (reg->builtins[i].hooks->exec_begin) reg->builtins[i].hooks->exec_begin(reg->builtins[i].state, vm);
}

void host_exec_end(airlock_vm *vm, bool rolled_back) {
    if (!rolled_back) {
        vfs_commit(vm->vfs);
        return;
    }
    vfs_rollback(vm->vfs);
    host_registry *reg = vm->host;
    if (!reg) return;
    for (size_t i = 0; i < reg->nbuiltins; i++)
        if (reg->builtins[i].hooks->exec_rollback) reg->builtins[i].hooks->exec_rollback(reg->builtins[i].state, vm);
    for (size_t i = 0; i < reg->nplugins; i++) {
        const host_plugin *p = reg->plugins[i];
        /* a plugin built for ABI 1.0 or 1.1 has no such member */
        if (p->def && host_plugin_abi_minor(p->def->abi_version) >= 2 && p->def->rollback)
            p->def->rollback(p->state, vm->exec_id);
    }
}
