/*
 * micropython.h - the MicroPython guest's own state and its parts
 * (internal to src/guests/micropython/).
 *
 * A runtime boots the interpreter once (snapshot.c) or starts from the
 * image built into the library, and keeps the result here; guest.c makes
 * every vm a copy-on-write view of it; image.c writes and reads it as
 * session images.
 */
#ifndef AIRLOCK_MICROPYTHON_H
#define AIRLOCK_MICROPYTHON_H

#include <stdbool.h>
#include <stdint.h>

#include "guests/guest.h"
#include "runtime/vm.h"
#include "sandbox.h"

typedef struct mp_runtime {
    int snap_fd;                 /* sealed memfd with the linear memory */
    uint64_t snap_bytes;
    Z_guest_instance_t snap_inst;
    uint64_t snap_heap_live;     /* its heap_live_bytes (vm.h) */
    wasm_rt_funcref_t *snap_table;
    uint32_t snap_table_size;
    uint32_t slots;              /* guest address of two 12-byte value slots */
    uint32_t run_ref;            /* guest proxy reference of _airlock_run */
    uint64_t snap_id;            /* identifies the snapshot across processes
                                  * (the built-in one); 0: this process only */
    int pagemap_fd;              /* /proc/self/pagemap, opened with the
                                  * snapshot (before an OS sandbox); -1 */
} mp_runtime;

static inline mp_runtime *mp_of(const airlock_runtime *rt) { return rt->guest_state; }

/* A vm of this guest: the guest-neutral one, whose instance is this
 * guest's, and what the guest keeps beside it. */
typedef struct mp_vm {
    airlock_vm vm;                   /* must stay first (vm.h) */
    Z_guest_instance_t undo_globals; /* the instance when the execution
                                      * runtime/undo.c records began */
} mp_vm;

static inline mp_vm *mp_vm_of(airlock_vm *vm) { return (mp_vm *)(void *)vm; }

/* ---- guest.c ---- */

/* Give vm the runtime's instance (globals), its own function table and a
 * fresh vfs; its memory is the caller's business. */
int mp_attach_vm(airlock_runtime *rt, airlock_vm *vm, const Z_guest_instance_t *globals);
/* The guest's filesystem: the grants (with_grants; none while booting),
 * /lib with the compatibility library, the runtime's working directory. */
vfs *mp_new_vfs(const airlock_runtime *rt, bool with_grants);
/* A zeroed vm of this guest with rt's limits (its memory grows within
 * them while it is filled), or NULL. */
airlock_vm *mp_vm_alloc(const airlock_runtime *rt);

/* ---- exec.c: the one way source enters the guest ---- */

/* Copy len bytes into a fresh guest allocation, NUL-terminated: its guest
 * address, or 0 when the guest heap cannot hold it. Inside vm_call. */
uint32_t mp_put_bytes(airlock_vm *vm, const void *data, size_t len);
/* Exec host-made source in __main__ with the result in the value slot at
 * slot; false with the exception's text in err. Inside vm_call. */
bool mp_run_source(airlock_vm *vm, uint32_t slot, const char *src, size_t len, char *err, size_t errsize);
void mp_exec(airlock_vm *vm, guest_run *run);
bool mp_run_trusted(airlock_vm *vm, const char *src, char *err, size_t errsize);

/* ---- snapshot.c ---- */

/* Boot the interpreter once and freeze it, or start from the built-in
 * image (caller holds rt->lock). */
int mp_snapshot_build(airlock_runtime *rt);

/* compat.c: the bridge's value slots for the compatibility layer's host
 * helpers, and the fuel they charge (1 unit per 16 bytes of work). */
void mp_bridge_put(airlock_vm *vm, uint32_t out, int32_t kind, uint32_t a, uint32_t b);
/* A str of n bytes for the guest in the slot at out, copied into its heap;
 * undefined if that has no room (the guest raises MemoryError). */
void mp_bridge_put_str(airlock_vm *vm, uint32_t out, const void *data, size_t n);
const uint8_t *mp_bridge_text(airlock_vm *vm, uint32_t arg, size_t *n); /* the str at arg, or NULL */
void mp_bridge_charge(airlock_vm *vm, uint64_t bytes);

/* json.c: the strict JSON scanner behind the compatibility layer's
 * json.loads. Its answer to the document in the guest str slot at arg is a
 * str put in the slot at out (undefined if the guest is out of memory). */
void mp_json_bridge(airlock_vm *vm, uint32_t arg, uint32_t out);
/* jsonplain.c: whether the guest's C encoder prints the object named in
 * the guest str at arg as CPython's json.dumps would (a bool in the slot
 * at out). */
void mp_json_plain(airlock_vm *vm, uint32_t arg, uint32_t out);

/* host.c: the host callable's call with the str in slot a0 (a host call,
 * plugins/call.c); its answer in the slot at out. */
void mp_host_call(airlock_vm *vm, uint32_t a0, uint32_t out);

/* gc.c, for session images: the bytes of heap pages that hold allocated
 * blocks (live or garbage), and in free_pages (a bitmap of `pages` bits, or
 * NULL) the pages only free blocks cover; false if the heap records are
 * malformed. And a full collection between executions, false if it did not
 * run or trapped (a corrupt heap, or past the timeout) and was undone. */
bool mp_heap_scan(airlock_vm *vm, uint8_t *free_pages, uint64_t pages, uint64_t *allocated);
bool mp_heap_collect(airlock_vm *vm);

/* ---- image.c: session images ---- */

int mp_clone(airlock_runtime *rt, airlock_vm *src, airlock_vm **out, char *err, size_t errsize);
bool mp_save(int fd, airlock_vm *vm, airlock_runtime *rt);
int mp_load(airlock_runtime *rt, int fd, const void *mem, uint64_t len, airlock_vm **out, char *why, size_t whysize);

#endif
