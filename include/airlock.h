/*
 * airlock.h - run untrusted Python inside your process, with nothing granted.
 *
 * The whole public C API. Two opaque objects:
 *
 *   airlock_runtime  configuration shared by many sandboxes: limits, grants,
 *                    host functions, and the start-up snapshot every sandbox
 *                    is copied from. Configure it, then create sandboxes;
 *                    once the first sandbox exists the runtime is frozen.
 *   airlock_sandbox  one Python interpreter. Executions on the same sandbox
 *                    share state (a session).
 *
 * Threads: configure a runtime from one thread, before its first sandbox.
 * Then any thread may create sandboxes of it, concurrently. A sandbox is
 * used by one thread at a time (executions, getters, clone, save, free);
 * different sandboxes run on different threads at once. The exception is
 * airlock_sandbox_interrupt(): any thread or signal handler may call it at
 * any moment until airlock_sandbox_free() begins, including while the
 * sandbox executes, recovers from a trap or sits idle.
 *
 * Errors follow SQLite: every fallible call returns an AIRLOCK_* code;
 * airlock_runtime_errmsg() and airlock_sandbox_errmsg() give the human
 * message of the last failure of a runtime or a sandbox call.
 *
 * What the library does to the process, beyond memory and threads of its own:
 *  - Signals: in the default build (guard pages) the first
 *    airlock_runtime_new() installs SIGSEGV and SIGBUS handlers (SA_SIGINFO,
 *    SA_ONSTACK, SA_NODEFER). They claim only a fault of a thread running guest code at
 *    an address inside that guest's memory reservation; every other fault is
 *    passed to the handler installed before airlock's, or to the default
 *    action. A host that installs its own handler later must chain to the
 *    previous one (sigaction's old action) or every guest bounds check
 *    breaks; a host that owns SIGSEGV outright uses a build with explicit
 *    bounds checks (make BOUNDS=explicit: no handler is installed) and may
 *    require it with airlock_runtime_set_bounds_checks(). No other signal is
 *    touched; SIGPIPE is the host's business.
 *  - Memory protection: in guard-page builds, during an execution on a
 *    sandbox that already ran, its guest memory is write-protected
 *    (mprotect) so that the first write to each page logs it for rollback;
 *    only the guest's own mappings are changed.
 *  - Environment: AIRLOCK_NO_PREBUILT (set: build the start-up snapshot at
 *    run time instead of using the one built in) is read when the first
 *    sandbox of a runtime is created; variables granted with
 *    airlock_runtime_allow_env() are read when the guest asks for them.
 *    Nothing else is read.
 *  - Libraries: libcurl (libcurl.so.4) is loaded with dlopen(RTLD_LOCAL) on
 *    the first airlock_runtime_allow_net(); plugins by
 *    airlock_runtime_load_plugin(). libsqlite3 (libsqlite3.so.0) is loaded
 *    on the first airlock_runtime_allow_sqlite(), with dlmopen into a
 *    link-map namespace of its own: a private copy whose settings (an
 *    allocator that charges each sandbox's SQLite memory) never touch a
 *    SQLite the host uses itself. Where dlmopen fails, the process's copy is
 *    opened with dlopen(RTLD_LOCAL) and configured if it is not initialised
 *    yet (the grant fails if it is). As with any two copies of SQLite in one
 *    process, the host must not open a database with its own SQLite while a
 *    sandbox has it open: the copies do not see each other's POSIX locks.
 *
 * Ownership: strings returned by airlock_* getters belong to the sandbox and
 * stay valid until the next airlock_sandbox_exec() on it or airlock_sandbox_free().
 */
#ifndef AIRLOCK_H
#define AIRLOCK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Marks every function of the API (here and in airlock_plugin.h). The
 * library is built with -fvisibility=hidden: these are the only symbols
 * libairlock.so exports, all named airlock_*. */
#if defined(__GNUC__)
#define AIRLOCK_API __attribute__((visibility("default")))
#else
#define AIRLOCK_API
#endif

#define AIRLOCK_VERSION "0.1.0"
#define AIRLOCK_VERSION_NUMBER 100 /* major*10000 + minor*100 + patch */

/* The version of the library actually loaded (the macros above are the
 * header's): a program can refuse a library older than the header it was
 * built with. */
AIRLOCK_API const char *airlock_version(void);
AIRLOCK_API int airlock_version_number(void);

/* Result codes. */
#define AIRLOCK_OK 0        /* success */
#define AIRLOCK_ERROR 1     /* the Python code raised an uncaught exception */
#define AIRLOCK_LIMIT 2     /* a resource limit stopped the run */
#define AIRLOCK_TRAP 3      /* the guest faulted; the sandbox was rolled back */
#define AIRLOCK_MISUSE 4    /* the host called the API wrongly */
#define AIRLOCK_NOMEM 5     /* the host ran out of memory */
#define AIRLOCK_EXIT 6      /* the code raised SystemExit (see airlock_sandbox_exit_code) */
#define AIRLOCK_IOERR 7     /* a file could not be read or written */
#define AIRLOCK_CORRUPT 8   /* a session file is damaged or foreign */
#define AIRLOCK_DENIED 9    /* a grant or plugin was refused */

/* Which limit stopped a run (airlock_sandbox_limit_hit). */
typedef enum airlock_limit_kind {
    AIRLOCK_LIMIT_NONE = 0,
    AIRLOCK_LIMIT_FUEL,      /* the fuel budget ran out */
    AIRLOCK_LIMIT_TIMEOUT,   /* the wall-clock deadline passed */
    AIRLOCK_LIMIT_MEMORY,    /* the memory limit was reached */
    AIRLOCK_LIMIT_OUTPUT,    /* stdout/stderr exceeded max_output (stop mode) */
    AIRLOCK_LIMIT_INTERRUPT, /* airlock_sandbox_interrupt() was called */
    AIRLOCK_LIMIT_STACK      /* native stack exhausted by C-level recursion */
} airlock_limit_kind;

/*
 * Versioned structs: airlock_limits, airlock_stats and airlock_exec_options
 * start with `size`, which the caller sets to sizeof the struct as its
 * header has it. The library reads (or writes) only that many bytes, so a
 * program built against an older airlock.h keeps working when fields are
 * added at the end; fields it does not know keep their defaults. A size
 * below the first version's, or a larger struct with fields this library
 * does not know set to non-zero, is AIRLOCK_MISUSE.
 *
 * Resource limits of every execution. Zero in a field means "use the safe
 * default" shown; the constants below say how to ask for "none".
 */
typedef struct airlock_limits {
    uint32_t size;             /* sizeof(airlock_limits) */
    uint64_t memory_bytes;     /* guest memory cap; default 256 MiB */
    uint64_t fuel;             /* work units per exec; default unlimited */
    double timeout_seconds;    /* wall clock per exec; default none */
    uint64_t max_output_bytes; /* per stream per exec; default 1 MiB */
    int output_overflow_stops; /* 1: exceeding max_output stops the run */
} airlock_limits;

#define AIRLOCK_DEFAULT_MEMORY (256u << 20)
#define AIRLOCK_DEFAULT_MAX_OUTPUT (1u << 20)
/* "None" for each limit. Memory always has a cap: the most a 32-bit guest
 * can address. Unlimited output grows host memory as the guest prints. */
#define AIRLOCK_NO_FUEL_LIMIT 0              /* fuel (the default) */
#define AIRLOCK_NO_TIMEOUT 0.0               /* timeout_seconds (the default) */
#define AIRLOCK_NO_OUTPUT_LIMIT UINT64_MAX   /* max_output_bytes */
#define AIRLOCK_MAX_MEMORY (4ull << 30)      /* memory_bytes: the largest allowed */

/* Statistics of the last execution. */
typedef struct airlock_stats {
    uint32_t size;             /* sizeof(airlock_stats), set by the caller */
    uint64_t fuel_used;
    double wall_ms;
    uint64_t memory_bytes;     /* guest linear memory at the end of the run */
    uint64_t stdout_bytes;     /* bytes written, including dropped ones */
    uint64_t stderr_bytes;
    int stdout_truncated;
    int stderr_truncated;
    int hard_stop;             /* 1 if a limit had to stop the guest by force */
    /* since 0.1.0's first version of this struct: */
    uint64_t gc_collections;   /* garbage collections the run caused (the MicroPython
                                * guest's; 0 on CPython, whose collector runs unseen) */
} airlock_stats;

typedef struct airlock_runtime airlock_runtime;
typedef struct airlock_sandbox airlock_sandbox;
typedef struct airlock_value airlock_value; /* airlock_plugin.h */

/* ---- runtime ---------------------------------------------------------- */

/* Create a runtime with default limits and no grants. */
AIRLOCK_API int airlock_runtime_new(airlock_runtime **out);
AIRLOCK_API void airlock_runtime_free(airlock_runtime *rt);
/* Human message of the last failure of a runtime call (never NULL). */
AIRLOCK_API const char *airlock_runtime_errmsg(const airlock_runtime *rt);

/* Set the limits every new sandbox of this runtime starts with. */
AIRLOCK_API int airlock_runtime_set_limits(airlock_runtime *rt, const airlock_limits *lim);

/* ---- filesystem grants --------------------------------------------------
 *
 * By default the guest sees only a read-only /lib (airlock's own Python
 * library). These calls add to what it sees; they must come before the
 * first sandbox is created. Host paths are resolved when the grant is made
 * (the directory or file must exist); the guest can never leave them:
 * "..", symlinks and /proc tricks are resolved by the kernel beneath the
 * granted directory.
 */
#define AIRLOCK_MOUNT_READ 0   /* read-only */
#define AIRLOCK_MOUNT_WRITE 1  /* read-write */

/* Show host_path (a directory or a file) at guest_path. Returns
 * AIRLOCK_DENIED if host_path cannot be opened (the message says why),
 * AIRLOCK_MISUSE for a relative or taken guest path, /lib, or a grant made
 * after the first sandbox. Linux 5.6+ (openat2) is required for directories. */
AIRLOCK_API int airlock_runtime_mount(airlock_runtime *rt, const char *host_path, const char *guest_path, int flags);
/* A private, writable, in-memory directory at guest_path holding at most
 * `bytes` bytes; it starts empty in every sandbox and dies with it. */
AIRLOCK_API int airlock_runtime_scratch(airlock_runtime *rt, const char *guest_path, uint64_t bytes);

/*
 * The CPython compatibility layer (airlock's guest library: typing,
 * dataclasses, csv, re and json extensions, a source rewriter for CPython
 * idioms...) is on by default. Turning it off runs the bare MicroPython
 * guest; must come before the first sandbox is created.
 */
AIRLOCK_API int airlock_runtime_set_compat(airlock_runtime *rt, int enabled);

/*
 * How guest memory accesses are bounds-checked: AIRLOCK_BOUNDS_GUARD (guard
 * pages and the SIGSEGV/SIGBUS handler, the default build) or
 * AIRLOCK_BOUNDS_EXPLICIT (a compare before every access; no signal
 * handler). The choice is the build's (make BOUNDS=...): asking for the
 * other one returns AIRLOCK_MISUSE with a message saying which the library
 * offers, so a host that owns SIGSEGV can refuse to run with the wrong one.
 */
#define AIRLOCK_BOUNDS_GUARD 0
#define AIRLOCK_BOUNDS_EXPLICIT 1
AIRLOCK_API int airlock_runtime_set_bounds_checks(airlock_runtime *rt, int mode);

/* The working directory sandboxes start in (default "/"). A directory the
 * guest cannot see (outside every grant and not an ancestor of one) leaves
 * them in "/". */
AIRLOCK_API int airlock_runtime_chdir(airlock_runtime *rt, const char *guest_path);

/* The default guest's (MicroPython's) version, e.g. "1.27.0". */
AIRLOCK_API const char *airlock_guest_version(void);
/* The sha256 of the default guest's artifact airlock was built from. */
AIRLOCK_API const char *airlock_guest_sha256(void);

/*
 * The guest interpreter: "micropython" (the default) or "cpython" (CPython
 * 3.14, when the library was built with it). Must come before the first
 * sandbox is created. The compatibility layer (airlock_runtime_set_compat)
 * is MicroPython's: a CPython runtime ignores it. AIRLOCK_MISUSE for a
 * guest this library does not have (the message lists those it has).
 */
AIRLOCK_API int airlock_runtime_set_guest(airlock_runtime *rt, const char *name);

/* What a runtime's guest is (airlock_runtime_guest_info). Strings are the
 * library's own and live as long as it does. */
typedef struct airlock_guest_info {
    uint32_t size;            /* sizeof(airlock_guest_info), set by the caller */
    const char *name;         /* "micropython", "cpython" */
    const char *title;        /* "MicroPython", "CPython" */
    const char *version;      /* the interpreter's version, e.g. "3.14.2" */
    const char *sha256;       /* of the pinned artifact it is built from */
    int compat;               /* has the compatibility layer and source rewriter */
    int host_functions;       /* host functions, plugins, env/sqlite/net grants reach it */
    int file_grants;          /* airlock_runtime_mount and _scratch reach it */
    int sessions;             /* clone, save and load work */
    int values;               /* airlock_sandbox_set_value and _get_value work */
} airlock_guest_info;
/* Fill *out (out->size set by the caller) for rt's guest; NULL rt: the
 * default guest. */
AIRLOCK_API int airlock_runtime_guest_info(const airlock_runtime *rt, airlock_guest_info *out);
/* The same for the guest called name (NULL: the default one), without a
 * runtime; AIRLOCK_MISUSE if this library does not have it. */
AIRLOCK_API int airlock_guest_info_of(const char *name, airlock_guest_info *out);
/* The name of the guest sb runs ("micropython", "cpython"); NULL for NULL. */
AIRLOCK_API const char *airlock_sandbox_guest(const airlock_sandbox *sb);

/* ---- host functions, plugins, env, clock, audit ----------------------------
 *
 * Everything the guest gets from the host beyond the filesystem grants
 * above comes through host functions, alone or bundled in plugins
 * (airlock_plugin.h has the value API, the plugin ABI and the rules).
 * Like mounts, these calls must come before the first sandbox is created.
 */
typedef struct airlock_call airlock_call;
typedef int (*airlock_host_fn)(airlock_call *call);

/* Make `import module; module.name(...)` call fn in every sandbox. */
AIRLOCK_API int airlock_runtime_register_function(airlock_runtime *rt, const char *module, const char *name,
                                      airlock_host_fn fn, void *userdata);
/* Load a plugin shared object (see airlock_plugin.h); options go to its
 * init (NULL for none). A wrong ABI version or a missing symbol is refused
 * with AIRLOCK_DENIED and a message saying which. */
AIRLOCK_API int airlock_runtime_load_plugin(airlock_runtime *rt, const char *path, const char *options);

/* Caps on what crosses the boundary in one host call. Zero means default. */
typedef struct airlock_call_limits {
    uint32_t max_depth;          /* nesting of lists/dicts; default 32, at most 100 */
    uint64_t max_arg_bytes;      /* encoded arguments; default 16 MiB */
    uint64_t max_result_bytes;   /* encoded result; default 16 MiB */
    uint64_t max_items;          /* values in the arguments; default 1M */
} airlock_call_limits;
AIRLOCK_API int airlock_runtime_set_call_limits(airlock_runtime *rt, const airlock_call_limits *lim);

/* Let the guest see the host's environment variable `name` (os.getenv,
 * os.environ), read when the guest asks. No other variable is visible. */
AIRLOCK_API int airlock_runtime_allow_env(airlock_runtime *rt, const char *name);

/* Let the guest open the SQLite database file at path through `import
 * sqlite3` (connect(path) with the path as given here, or its absolute
 * form). Read-only unless writable (then the file may be created). Every
 * other path raises PermissionError; ATTACH, extensions and pragmas that
 * change files or settings are refused. A statement stops inside SQLite at
 * the sandbox's deadline or interrupt, and the host memory SQLite holds for
 * a sandbox is capped at its memory limit (MemoryError in the guest).
 * AIRLOCK_DENIED if libsqlite3.so.0 cannot be loaded. Repeatable. */
AIRLOCK_API int airlock_runtime_allow_sqlite(airlock_runtime *rt, const char *path, int writable);

/* Let the guest reach "HOST[:PORT]" over http and https through `import
 * requests`. Without a port, the scheme's default port (80, 443) only.
 * Every other origin, including redirects to one, raises PermissionError.
 * Repeatable. */
AIRLOCK_API int airlock_runtime_allow_net(airlock_runtime *rt, const char *host_port);

/* Fixed start time (2024-01-01T00:00:00Z), a clock that advances 1 ms per
 * reading, and a random generator seeded from seed: the same program then
 * prints the same bytes on every run. Off by default (real clock,
 * getrandom). */
AIRLOCK_API int airlock_runtime_set_deterministic(airlock_runtime *rt, int on, uint64_t seed);

/* One record per host call, allowed or denied. json is the same record as
 * one line of JSON (no newline). Called on the sandbox's thread, possibly
 * from several threads at once. */
typedef struct airlock_audit_record {
    double time;                 /* seconds since the epoch, real clock */
    const char *plugin, *module, *function;
    int allowed;                 /* 0: refused (by a grant, or before reaching the plugin) */
    const char *reason;          /* why it was denied, or NULL */
    const char *error;           /* exception type the call raised, or NULL */
    uint64_t bytes_in, bytes_out;
    double duration_ms;
    const char *json;
} airlock_audit_record;
typedef void (*airlock_audit_fn)(void *userdata, const airlock_audit_record *rec);
AIRLOCK_API int airlock_runtime_set_audit(airlock_runtime *rt, airlock_audit_fn fn, void *userdata);
/* Append the JSON lines to a file (created 0600 if missing). */
AIRLOCK_API int airlock_runtime_audit_file(airlock_runtime *rt, const char *path);

/* What this runtime grants, in plain words, one grant per paragraph (for
 * `airlock --list-grants` and the MCP tool description). Owned by rt. */
AIRLOCK_API const char *airlock_runtime_describe_grants(airlock_runtime *rt);

/* ---- sandbox ---------------------------------------------------------- */

/*
 * Create a fresh sandbox (a copy of the runtime's start-up snapshot).
 *
 * Creation errors belong to the sandbox, not the runtime (several threads
 * may create at once): on a failure other than AIRLOCK_MISUSE, *out is a
 * handle that only reports it (like sqlite3_open): read the message with
 * airlock_sandbox_errmsg(), then airlock_sandbox_free() it. Every other
 * call on such a handle returns AIRLOCK_MISUSE. *out is NULL only when not
 * even that handle could be allocated. The same holds for
 * airlock_sandbox_clone(), airlock_sandbox_load() and
 * airlock_sandbox_load_buffer().
 */
AIRLOCK_API int airlock_sandbox_new(airlock_runtime *rt, airlock_sandbox **out);
AIRLOCK_API void airlock_sandbox_free(airlock_sandbox *sb);

/*
 * Run Python source (UTF-8, len bytes, NUL bytes allowed) as a module body.
 * Returns AIRLOCK_OK, AIRLOCK_ERROR (uncaught exception), AIRLOCK_EXIT
 * (SystemExit), AIRLOCK_LIMIT or AIRLOCK_TRAP. After AIRLOCK_TRAP the
 * sandbox is rolled back to its state before this call and stays usable
 * (but see AIRLOCK_EXEC_NO_ROLLBACK).
 */
AIRLOCK_API int airlock_sandbox_exec(airlock_sandbox *sb, const char *src, size_t len);

/*
 * Streamed output: called with each piece of stdout (stream
 * AIRLOCK_STDOUT) or stderr (AIRLOCK_STDERR) as the guest writes it, on
 * the executing thread, while the guest waits. Only the bytes the output
 * cap keeps are delivered (the same bytes airlock_sandbox_stdout() returns
 * afterwards). The callback must not call into this sandbox, except
 * airlock_sandbox_interrupt().
 */
#define AIRLOCK_STDOUT 1
#define AIRLOCK_STDERR 2
typedef void (*airlock_output_fn)(void *userdata, int stream, const char *data, size_t len);

/*
 * Options of one execution. Set size to sizeof(airlock_exec_options)
 * (AIRLOCK_EXEC_OPTIONS_INIT does): the library reads only the fields the
 * caller's header had, so fields added later keep older programs working.
 */
typedef struct airlock_exec_options {
    uint32_t size;
    const char *filename;          /* shown in tracebacks; NULL: "<stdin>" */
    const airlock_limits *limits;  /* this call only; NULL: the sandbox's */
    airlock_output_fn on_output;   /* NULL: output is only captured */
    void *output_userdata;
    uint32_t flags;                /* AIRLOCK_EXEC_* */
} airlock_exec_options;
#define AIRLOCK_EXEC_OPTIONS_INIT {sizeof(airlock_exec_options), NULL, NULL, NULL, NULL, 0}

/*
 * For a caller that runs nothing more in the sandbox if this call fails
 * (it frees the sandbox, reading at most the outcome): no undo log is kept,
 * so a call stopped by a limit or a trap leaves a fresh sandbox, as the
 * first call of a new one does, instead of the state before the call. It
 * spares write-protecting guest memory and a fault per page the call
 * writes; a successful call is the same either way. The airlock command
 * sets it for its one-shot runs, whose session file is saved only after a
 * success.
 */
#define AIRLOCK_EXEC_NO_ROLLBACK 1u

/* airlock_sandbox_exec() with options (NULL: none). AIRLOCK_MISUSE for a
 * size that is too small, or larger with unknown fields set (a program
 * built against a newer airlock.h than this library). */
AIRLOCK_API int airlock_sandbox_exec_ex(airlock_sandbox *sb, const char *src, size_t len,
                                        const airlock_exec_options *opt);

/*
 * Structured values: set a global of the guest's __main__ from an
 * airlock_value and read one back (the value API and kinds of host
 * functions, airlock_plugin.h), without building source strings. They cross
 * through the same codec as host calls, under the runtime's call limits
 * (airlock_runtime_set_call_limits: nesting depth, item count, bytes).
 *
 * Each call runs guest code under the sandbox's limits and interrupts, like
 * an execution, but leaves the last execution's outcome (output, result,
 * error, stats, limit hit) alone unless a limit or a trap stops the call
 * itself; output the guest prints meanwhile is dropped. name is an ASCII
 * identifier of at most 255 bytes.
 *
 * Returns AIRLOCK_OK; AIRLOCK_MISUSE for bad arguments (a NULL, a name that
 * is not an identifier, a value built wrongly or holding invalid UTF-8);
 * AIRLOCK_ERROR when the value cannot cross (no such global, an object with
 * no airlock_value kind, a dict with a non-str key, a str that is not valid
 * UTF-8, too large, too deep, too many items: the message says which);
 * AIRLOCK_NOMEM; AIRLOCK_LIMIT or AIRLOCK_TRAP as for an execution.
 */
/* value stays the caller's; the guest gets a copy (tuples arrive as lists). */
AIRLOCK_API int airlock_sandbox_set_value(airlock_sandbox *sb, const char *name, const airlock_value *value);
/* *out is the caller's, freed with airlock_value_free(); NULL on failure. A
 * guest tuple reads as a list, a cycle as too deep. */
AIRLOCK_API int airlock_sandbox_get_value(airlock_sandbox *sb, const char *name, airlock_value **out);
/* The value of the last execution's final expression (what
 * airlock_sandbox_result() shows the repr of; None if there was none). */
AIRLOCK_API int airlock_sandbox_result_value(airlock_sandbox *sb, airlock_value **out);

/* Override the limits of one sandbox (for its next executions). */
AIRLOCK_API int airlock_sandbox_set_limits(airlock_sandbox *sb, const airlock_limits *lim);

/* ---- sessions: copies and files ------------------------------------------
 *
 * A session is a sandbox's whole interpreter state. Open files, scratch
 * contents and running code are not part of it.
 */

/* A new sandbox with a copy of sb's state (sb is unchanged). */
AIRLOCK_API int airlock_sandbox_clone(airlock_sandbox *sb, airlock_sandbox **out);
/* Save sb's state to path atomically (a temporary file, then a rename). */
AIRLOCK_API int airlock_sandbox_save(airlock_sandbox *sb, const char *path);
/* The same image in memory: *out (len bytes) is the caller's, released with
 * airlock_buffer_free(). airlock_sandbox_load_buffer() reads it back. */
AIRLOCK_API int airlock_sandbox_save_buffer(airlock_sandbox *sb, void **out, size_t *len);
AIRLOCK_API void airlock_buffer_free(void *buf);
/* A new sandbox with the state saved in path. A file from another airlock
 * version or guest build, a truncated or corrupted file, or one whose memory
 * exceeds the runtime's memory limit is refused with AIRLOCK_CORRUPT; a
 * file that cannot be read with AIRLOCK_IOERR (the message in the handle,
 * see airlock_sandbox_new). */
AIRLOCK_API int airlock_sandbox_load(airlock_runtime *rt, const char *path, airlock_sandbox **out);
/* The same from a buffer holding a whole session file. */
AIRLOCK_API int airlock_sandbox_load_buffer(airlock_runtime *rt, const void *data, size_t len, airlock_sandbox **out);

/*
 * What the last execution left. Every getter below accepts a NULL sandbox
 * and then answers as for one that ran nothing ("" output, NULL strings,
 * zeros).
 */

/* Captured output of the last execution (never NULL; len may be NULL). */
AIRLOCK_API const char *airlock_sandbox_stdout(const airlock_sandbox *sb, size_t *len);
AIRLOCK_API const char *airlock_sandbox_stderr(const airlock_sandbox *sb, size_t *len);

/*
 * repr() of the value of the last top-level statement when it is an
 * expression other than None, like a notebook cell; NULL otherwise.
 */
AIRLOCK_API const char *airlock_sandbox_result(const airlock_sandbox *sb, size_t *len);

/* The uncaught exception of the last execution, or NULL. */
AIRLOCK_API const char *airlock_sandbox_error_type(const airlock_sandbox *sb);
AIRLOCK_API const char *airlock_sandbox_error_message(const airlock_sandbox *sb);
AIRLOCK_API const char *airlock_sandbox_error_traceback(const airlock_sandbox *sb);

/* The exit status requested by SystemExit (valid after AIRLOCK_EXIT). */
AIRLOCK_API int airlock_sandbox_exit_code(const airlock_sandbox *sb);

AIRLOCK_API airlock_limit_kind airlock_sandbox_limit_hit(const airlock_sandbox *sb);
AIRLOCK_API const char *airlock_limit_name(airlock_limit_kind kind); /* "fuel", ... */
/* Fill out (out->size set by the caller); AIRLOCK_MISUSE for a bad size. */
AIRLOCK_API int airlock_sandbox_stats(const airlock_sandbox *sb, airlock_stats *out);

/* A pointer of the embedder's, kept with the sandbox (NULL at first). */
AIRLOCK_API void airlock_sandbox_set_userdata(airlock_sandbox *sb, void *userdata);
AIRLOCK_API void *airlock_sandbox_userdata(const airlock_sandbox *sb);

/* Human message of the last failure on this sandbox (never NULL). */
AIRLOCK_API const char *airlock_sandbox_errmsg(const airlock_sandbox *sb);

/*
 * Ask the sandbox's execution to stop. Safe from any thread and from signal
 * handlers, at any moment until airlock_sandbox_free() begins; it never
 * blocks and never touches the interpreter's memory.
 *
 * Each request stops exactly one execution: the one in progress when it
 * arrives, if that one reaches a check point afterwards (every ~100,000
 * units of fuel, and host functions that poll airlock_call_should_stop()),
 * or else the next execution to start, which then stops at its first check
 * point. Several requests before one stop are one request. The stop is
 * soft first: the guest sees a KeyboardInterrupt, so `finally` blocks run;
 * if it swallows it, a hard stop follows after a grace period (~100 ms).
 * The execution returns AIRLOCK_LIMIT with airlock_sandbox_limit_hit() ==
 * AIRLOCK_LIMIT_INTERRUPT.
 */
AIRLOCK_API void airlock_sandbox_interrupt(airlock_sandbox *sb);

#ifdef __cplusplus
}
#endif

#endif /* AIRLOCK_H */
