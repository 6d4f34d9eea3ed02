/*
 * guest.h - what a guest interpreter provides to the rest of airlock
 * (internal).
 *
 * A guest is a folder: src/guests/NAME/ holds its boot driver, its imports,
 * its end of the bridge and its guest-side library, and exports one
 * guest_ops table. The vm runtime, the vfs, host calls, plugins, limits,
 * snapshots, sessions, the API and the CLI speak to a guest only through
 * this table, so a third guest is a folder and one line in guest_find().
 */
#ifndef AIRLOCK_GUEST_H
#define AIRLOCK_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "airlock.h"

struct airlock_vm;

/*
 * One execution as a guest's driver runs it. The driver answers with a
 * short tagged text that exec.c decodes for every guest alike:
 *   "N"           no value to show
 *   "R<repr>"     repr() of the last expression's value
 *   "X<int>"      SystemExit with an integer (or no) code
 *   "S<text>"     SystemExit with any other code
 * or, with kind GUEST_RAISED, "Type\x04traceback" (without the frames of
 * the guest's own driver and shims).
 */
typedef enum guest_answer_kind {
    GUEST_ANSWERED,    /* text holds the tagged answer */
    GUEST_RAISED,      /* text holds "Type\x04traceback" */
    GUEST_NO_MEMORY,   /* the source did not fit in guest memory */
    GUEST_UNREADABLE   /* the driver's answer could not be read */
} guest_answer_kind;

typedef struct guest_run {
    const char *src;        /* the source, len bytes, not NUL-terminated */
    size_t len;
    const char *filename;   /* for tracebacks: UTF-8, NUL-terminated */
    guest_answer_kind kind; /* out */
    char *text;             /* out: malloc'd host copy of the answer, or NULL */
    size_t text_len;
} guest_run;

/* Longest answer texts a guest hands back (longer ones are cut). */
#define GUEST_RESULT_CAP (1u << 20)
#define GUEST_ERROR_CAP (64u << 10)

/* What became of a value operation (src/values.c) handed to the guest. */
typedef enum guest_value_outcome {
    GUEST_VALUE_ANSWERED,  /* *text is its answer */
    GUEST_VALUE_NO_MEMORY, /* the guest heap cannot hold the arguments */
    GUEST_VALUE_RAISED,    /* the driver raised: a limit stopping it, or a
                            * session from before value operations */
} guest_value_outcome;

/*
 * How runtime/meter.c meters a guest. The build-time fuel pass keeps an
 * i64 counter among the instance's globals and decrements it inline; when
 * it goes negative the guest's fuel_exhausted import hands the vm to
 * meter_exhausted(). The policy (slices, soft stop, grace, hard stop) is
 * meter.c's; what differs between guests is here.
 */
typedef struct guest_meter {
    ptrdiff_t counter;          /* the counter's offset from the vm (negative
                                 * where the instance precedes the vm) */
    uint64_t slice;             /* fuel between two host checks */
    uint64_t grace_ns;          /* a soft stop's grace: wall time, */
    uint64_t grace_fuel;        /* and the fuel a fuel stop leaves */
    bool grace_fuel_every_stop; /* every stop leaves grace_fuel, not only a
                                 * fuel stop (the others keep what is left) */
    /* Ask the guest to raise KeyboardInterrupt soon (vm->stop_reason is
     * set); at most once per execution. */
    void (*soft_stop)(struct airlock_vm *vm);
} guest_meter;

typedef struct guest_ops {
    const char *name;        /* "micropython", "cpython": what --guest takes */
    const char *title;       /* "MicroPython", "CPython": for people */
    const char *version;     /* the interpreter's version */
    const char *sha256;      /* of the pinned artifact the guest is built from */
    bool compat;             /* has the compatibility layer and source rewriter */
    bool undo;               /* a trapped execution can be rolled back in place
                              * (runtime/undo.c, with undo_save/undo_restore) */
    uint32_t undo_keep;      /* pages an execution may leave writable for the
                              * next, saved by a copy instead of a fault
                              * (runtime/undo.c; at most UNDO_KEEP_MAX): about
                              * what a small execution writes */
    bool host_calls;         /* host functions, plugins and env reach it */
    bool grants;             /* file grants (mounts, scratch) reach it */
    bool host_device;        /* its host modules call the host through the
                              * device descriptor (plugins/device.c) */
    bool fuel;               /* it counts fuel (a fuel limit can stop it) */

    /* Once per process, before anything else of this guest runs. */
    void (*process_init)(void);
    /* Build the runtime's start-up state (rt->guest_state, rt->boot_memory);
     * caller holds rt->lock. An AIRLOCK_* code, message on rt. */
    int (*boot)(airlock_runtime *rt);
    void (*runtime_free)(airlock_runtime *rt);

    /* A new vm fresh from the start-up state, with the runtime's vfs and
     * host state, ready to execute. An AIRLOCK_* code; the message, if
     * any, in err. */
    int (*vm_new)(airlock_runtime *rt, struct airlock_vm **out, char *err, size_t errsize);
    /* Free what the guest owns of vm, and vm itself (called by vm_destroy
     * after the guest-neutral parts are freed). */
    void (*vm_free)(struct airlock_vm *vm);
    /* The source as this guest compiles it, made on the host before the
     * execution enters the guest (outside vm_call): a malloc'd copy, its
     * length in *out_len, or NULL to run src as given. May be NULL. */
    char *(*prepare_source)(const airlock_runtime *rt, const char *src, size_t len, size_t *out_len);
    /* Run one execution; called inside vm_call, so a trap abandons it. */
    void (*exec)(struct airlock_vm *vm, guest_run *run);
    /* Run host-made source in __main__ (boot, host modules, reseeding);
     * inside vm_call. false with the exception's text in err. */
    bool (*run_trusted)(struct airlock_vm *vm, const char *src, char *err, size_t errsize);
    /* How its executions are metered (above). */
    const guest_meter *meter;
    /* The guest's part of the undo log (runtime/undo.c keeps the pages of
     * memory, through vm->mem): what an execution may change outside
     * linear memory that the guest must have back with it (its instance's
     * globals, host state describing guest memory), saved when recording
     * begins (false: it could not be, a hard stop then resets the session)
     * and put back on a rollback, memory descriptor, tables and instance
     * pointers untouched. Both set where undo is. */
    bool (*undo_save)(struct airlock_vm *vm);
    void (*undo_restore)(struct airlock_vm *vm);
    /* After runtime/undo.c put memory and globals back (may be NULL). */
    void (*rolled_back)(struct airlock_vm *vm);
    /* The guest ended itself (exit() from C) during a trapped call: true
     * with its status (may be NULL). */
    bool (*exited)(struct airlock_vm *vm, int *status);

    /*
     * The embedder's values (src/values.c), inside vm_call; NULL where the
     * guest has none yet. op 's' sets global `name` to the value encoded in
     * data (plugins/codec.h, host to guest), 'g' reads global `name`, 'r'
     * the last execution's value. *text is a host copy of the answer: "N"
     * (set), "V" value (codec.h, guest to host), "U" (no such global) or
     * "E" type "\n" message; NULL when the answer was longer than cap
     * (*text_len then has its length) or unreadable.
     */
    guest_value_outcome (*value)(struct airlock_vm *vm, char op, const char *name, const char *data, size_t len,
                                 size_t cap, char **text, size_t *text_len);

    /* Sessions (session.c); NULL where the guest has none yet. */
    int (*clone)(airlock_runtime *rt, struct airlock_vm *src, struct airlock_vm **out, char *err, size_t errsize);
    bool (*save)(int fd, struct airlock_vm *vm, airlock_runtime *rt);
    /* A vm from a session image in a file (fd >= 0, read in bounded
     * chunks) or in memory (mem), len bytes. AIRLOCK_CORRUPT or
     * AIRLOCK_IOERR with the reason in why. */
    int (*load)(airlock_runtime *rt, int fd, const void *mem, uint64_t len, struct airlock_vm **out, char *why,
                size_t whysize);
} guest_ops;

extern const guest_ops guest_micropython;
extern const guest_ops guest_cpython;

/* Every guest built into this library, NULL-terminated; the default first. */
const guest_ops *const *guest_all(void);
/* The guest called name, or NULL; NULL name: the default guest. */
const guest_ops *guest_find(const char *name);

#endif
