/*
 * cpython_guest.h - the CPython guest's internal entry (boot.c): boot an
 * interpreter, run source in it, read what it printed.
 *
 * This is the foundation of issue 11; the public API (include/airlock.h)
 * does not offer this guest yet.
 */
#ifndef AIRLOCK_CPYTHON_GUEST_H
#define AIRLOCK_CPYTHON_GUEST_H

#include <stddef.h>
#include <stdint.h>

#include <stdbool.h>

typedef struct cpython_vm cpython_vm;
struct airlock_runtime;
typedef struct cpython_snapshot cpython_snapshot;

typedef struct cpython_options {
    uint64_t memory_bytes;  /* the guest's memory cap; 0: 1 GiB */
    size_t output_bytes;    /* cap of stdout and of stderr, per run; 0: 1 MiB */
    double timeout_seconds; /* per run: KeyboardInterrupt, then a hard stop; 0: none */
    uint64_t fuel;          /* per run: the same two stops after this much fuel; 0: none */
    bool deterministic;     /* clock from 2024-01-01, 1 ms per reading; random_get from a fixed seed */
    struct vfs *vfs;        /* the grants to mount the library and /tmp beside (taken over); NULL: none */
    const char *boot_source; /* run in __main__ at the end of the boot (a snapshot keeps what it made); NULL: none */
} cpython_options;

/* cpython_exec's results. */
enum {
    CPYTHON_OK = 0,      /* the source ran */
    CPYTHON_RAISED = 1,  /* it raised: the traceback is on stderr */
    CPYTHON_EXITED = 2,  /* it called exit() / raised SystemExit (cpython_exit_status) */
    CPYTHON_TRAPPED = 3, /* the call was abandoned (trap code set); the interpreter is dead */
    CPYTHON_DEAD = 4,    /* an earlier run trapped or exited: nothing runs any more */
    CPYTHON_NOMEM = 5    /* the source could not be copied into the guest */
};

/* Boot a fresh interpreter. NULL if the host is out of memory; otherwise
 * *trap is 0, or the trap that ended the boot (the vm is then dead). */
cpython_vm *cpython_boot(const cpython_options *opt, int *trap);
/* Run source as the __main__ module; *trap is set when CPYTHON_TRAPPED. */
int cpython_exec(cpython_vm *c, const char *source, int *trap);
/* Fuel the last run used (guests/patch/README.md: an upper bound on the
 * WebAssembly instructions it executed, the same on every machine). */
uint64_t cpython_fuel_used(const cpython_vm *c);

/* Boot once and freeze the result (snapshot.c); NULL on host OOM or a
 * failed boot (*trap says which trap, if one). The options are the boot's. */
cpython_snapshot *cpython_snapshot_new(const cpython_options *opt, int *trap);
/* Freeze c, an interpreter made from a snapshot, as it is now (with the
 * host's own additions: guest.c's host modules); NULL on host OOM. What c
 * drew since is shared by every interpreter of the result: the caller
 * reseeds them (plugins/boot.c, host_fresh_vm). */
cpython_snapshot *cpython_snapshot_freeze(const cpython_vm *c);
/* A fresh interpreter, a copy-on-write view of s: as cpython_boot's, at a
 * fraction of the cost. NULL on host OOM or a memory cap below the
 * snapshot's size. Any number may be made, from any thread, while s lives. */
cpython_vm *cpython_new_from_snapshot(const cpython_snapshot *s, const cpython_options *opt);
/* The snapshot every runtime starts from (guest.c): booted with the
 * sandbox driver, under memory_bytes (0: 1 GiB). */
cpython_snapshot *cpython_runtime_snapshot(uint64_t memory_bytes, int *trap);
/* The snapshot as an image in fd (guests/cpython/mksnapshot.c, at build
 * time); false with the reason in why. */
bool cpython_snapshot_write(const cpython_snapshot *s, int fd, char *why, size_t whysize);
/* A snapshot from an image of len bytes, checked against this build (the
 * pinned guest, its standard library, its instance layout) and its head's
 * checksum, with verify the checksum of every page too; NULL with the
 * reason in why. */
cpython_snapshot *cpython_snapshot_from_image(const void *image, uint64_t len, bool verify, char *why,
                                              size_t whysize);
/* The image built into the library: NULL with why "" when there is none
 * (or AIRLOCK_NO_PREBUILT is set), NULL with the reason when it is unusable. */
cpython_snapshot *cpython_snapshot_prebuilt(char *why, size_t whysize);
/* Record in s the host_boot_digest of the host modules installed in it
 * (guest.c), and whether that install drew randomness; 0: none installed
 * (a snapshot made by booting). */
void cpython_snapshot_set_host(cpython_snapshot *s, uint64_t digest, bool reseed);
uint64_t cpython_snapshot_host(const cpython_snapshot *s, bool *reseed);
/* The snapshot a booted runtime's sandboxes start from (for
 * guests/cpython/mksnapshot.c); NULL before the first sandbox. */
cpython_snapshot *cpython_runtime_installed(struct airlock_runtime *rt);
/* The guest memory a snapshot holds: the least any of its interpreters needs. */
uint64_t cpython_snapshot_bytes(const cpython_snapshot *s);
void cpython_snapshot_free(cpython_snapshot *s);

/* Ask the run in progress (on another thread) to stop, as a timeout does. */
void cpython_interrupt(cpython_vm *c);
/* What the last run wrote: stream 0 stdout, 1 stderr. */
const char *cpython_output(const cpython_vm *c, int stream);
int cpython_exit_status(const cpython_vm *c);
/* The JavaScript import a VM_TRAP_NO_JS refused, or NULL. */
const char *cpython_refused_import(const cpython_vm *c);
/* The airlock_limit_kind that stopped the last run, or 0. */
int cpython_stop_reason(const cpython_vm *c);
void cpython_free(cpython_vm *c);

#endif
