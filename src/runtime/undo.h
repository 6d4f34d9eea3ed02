/*
 * undo.h - put a sandbox back as it was before an execution.
 *
 * A hard stop abandons the guest mid-instruction: its memory may hold a
 * half-made structure. To keep sessions alive, the runtime remembers each
 * page an execution modifies, the first time it does, and can write the old
 * contents back. In guard-page mode memory is read-only between executions
 * except the few pages the last one changed: those are saved when an
 * execution starts, and the first write to any other page faults into
 * undo_on_fault(), which saves the page and makes it writable (see
 * undo.c). Without a fault handler (explicit bounds checks) the whole
 * memory is copied at the start instead.
 *
 * Host code may write guest memory only inside vm_call() (where the fault
 * handler finds the vm) once a sandbox has run twice.
 */
#ifndef AIRLOCK_UNDO_H
#define AIRLOCK_UNDO_H

#include <signal.h>
#include <stdbool.h>

#include "runtime/vm.h"

/* Start recording, the guest's globals saved first (guest_ops.undo_save);
 * false if recording could not be set up (out of address space or host
 * memory), in which case a hard stop resets the session instead. */
bool undo_begin(airlock_vm *vm);
/* An execution without recording (AIRLOCK_EXEC_NO_ROLLBACK): memory that
 * earlier executions left read-only is made writable again. */
void undo_skip(airlock_vm *vm);
/* Stop recording and forget the saved pages. */
void undo_commit(airlock_vm *vm);
/* Write every saved page back, shrink memory to its old size, and have
 * the guest restore its instance's globals (guest_ops.undo_restore). */
void undo_rollback(airlock_vm *vm);
/* Release the undo area. */
void undo_free(airlock_vm *vm);
/* Called by the fault handler: true if the fault was a first write to a
 * recorded page, which is now saved and writable. */
bool undo_on_fault(airlock_vm *vm, const siginfo_t *info);

#endif
