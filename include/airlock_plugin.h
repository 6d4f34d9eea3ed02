/*
 * airlock_plugin.h - host functions and plugins: the only way a sandbox gets
 * anything from its host.
 *
 * A host function is a C callback that guest code calls as `module.name(...)`
 * with positional and keyword arguments. The arguments arrive as a tree of
 * airlock_value (None, bool, 64-bit int, float, str, bytes, list, dict with
 * str keys, nested); the callback answers with one value or raises a Python
 * exception in the guest. Register one with
 * airlock_runtime_register_function() (airlock.h), or bundle several in a
 * plugin: a static description (airlock_plugin below) naming the guest
 * modules it provides, their functions, optional Python wrapper source, and
 * a plain-words statement of what it grants. Built-in grants (environment
 * variables, ...) are plugins of exactly this shape.
 *
 * Third-party plugins are shared objects: build them with
 * -DAIRLOCK_PLUGIN_DYNAMIC and end the source with
 * AIRLOCK_PLUGIN_EXPORT(my_plugin). They then call airlock through a table
 * of function pointers handed over when they are loaded, so they link
 * against nothing and work whatever way the host embeds airlock (static
 * library, shared library, Python binding). See plugins/example/.
 *
 * Compatibility: the plugin ABI has a major and a minor version
 * (AIRLOCK_PLUGIN_ABI_VERSION = major << 16 | minor). A minor version only
 * adds: functions at the end of airlock_api, fields at the end of
 * airlock_plugin that are read only from plugins declaring that minor or
 * later. So airlock loads a plugin of its own major and any minor up to its
 * own, and refuses, with a message naming both versions, a plugin of another
 * major or of a newer minor (it would call functions this library lacks).
 * Plugins built before minor versions existed declare 1, read as 1.0. Two
 * things never change, so that the refusal itself is safe: the exported
 * symbols' names and types (airlock_plugin_abi, airlock_plugin_entry), and
 * abi_version being the first member of airlock_plugin.
 *
 * Threads: a runtime's sandboxes may run on different threads at once, so a
 * callback may be called concurrently; state it shares must be guarded.
 * A callback runs on the thread of the sandbox that called it, while the
 * guest waits; it cannot call back into the guest. Keep it short: the
 * sandbox's timeout and interrupt take effect only after it returns.
 */
#ifndef AIRLOCK_PLUGIN_H
#define AIRLOCK_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "airlock.h" /* result codes: AIRLOCK_OK, AIRLOCK_ERROR, ... */

#ifdef __cplusplus
extern "C" {
#endif

#define AIRLOCK_PLUGIN_ABI_MAJOR 1
#define AIRLOCK_PLUGIN_ABI_MINOR 2 /* 1.1: airlock_call_should_stop; 1.2: airlock_call_exec, rollback */
#define AIRLOCK_PLUGIN_ABI_VERSION ((AIRLOCK_PLUGIN_ABI_MAJOR << 16) | AIRLOCK_PLUGIN_ABI_MINOR)

/* ---- values ---------------------------------------------------------------
 *
 * An opaque tree. Arguments handed to a callback belong to airlock and live
 * until the callback returns (copy what you keep: airlock_value_copy).
 * Values you build are yours until you hand them over: airlock_list_append,
 * airlock_dict_set and airlock_call_return take ownership, even when they
 * fail. A value has at most one parent; cycles are refused.
 *
 * Constructors return NULL when out of memory; a str from invalid UTF-8
 * comes back marked bad. NULL and bad values may be passed on to the
 * functions that take ownership: the container remembers the failure and
 * airlock_call_return() turns it into a MemoryError (or a ValueError for
 * bad UTF-8) in the guest, so building code needs no check per step.
 */
typedef struct airlock_value airlock_value;

typedef enum airlock_kind {
    AIRLOCK_NONE = 0,
    AIRLOCK_BOOL,
    AIRLOCK_INT,    /* int64_t; larger guest ints raise OverflowError */
    AIRLOCK_FLOAT,  /* double */
    AIRLOCK_STR,    /* UTF-8, validated; may contain NUL; NUL-terminated */
    AIRLOCK_BYTES,
    AIRLOCK_LIST,   /* a guest list or tuple; results become lists */
    AIRLOCK_DICT    /* str keys only; a later duplicate key wins */
} airlock_kind;

AIRLOCK_API airlock_value *airlock_value_new_none(void);
AIRLOCK_API airlock_value *airlock_value_new_bool(int b);
AIRLOCK_API airlock_value *airlock_value_new_int(int64_t i);
AIRLOCK_API airlock_value *airlock_value_new_float(double f);
/* A NUL-terminated UTF-8 string, or len bytes of one. */
AIRLOCK_API airlock_value *airlock_value_new_str(const char *s);
AIRLOCK_API airlock_value *airlock_value_new_strn(const char *s, size_t len);
AIRLOCK_API airlock_value *airlock_value_new_bytes(const void *data, size_t len);
AIRLOCK_API airlock_value *airlock_value_new_list(void);
AIRLOCK_API airlock_value *airlock_value_new_dict(void);
/* AIRLOCK_OK, or an error code (AIRLOCK_NOMEM, AIRLOCK_MISUSE); item is
 * consumed either way. */
AIRLOCK_API int airlock_list_append(airlock_value *list, airlock_value *item);
AIRLOCK_API int airlock_dict_set(airlock_value *dict, const char *key, airlock_value *item);
AIRLOCK_API airlock_value *airlock_value_copy(const airlock_value *v);
AIRLOCK_API void airlock_value_free(airlock_value *v);

/* Getters are total: on the wrong kind they answer 0, NULL or empty. */
AIRLOCK_API airlock_kind airlock_value_kind(const airlock_value *v);
AIRLOCK_API int airlock_value_bool(const airlock_value *v);
AIRLOCK_API int64_t airlock_value_int(const airlock_value *v);
AIRLOCK_API double airlock_value_float(const airlock_value *v);          /* int or float */
AIRLOCK_API const char *airlock_value_str(const airlock_value *v, size_t *len);
AIRLOCK_API const uint8_t *airlock_value_bytes(const airlock_value *v, size_t *len);
AIRLOCK_API size_t airlock_value_len(const airlock_value *v);             /* list/dict items */
AIRLOCK_API const airlock_value *airlock_value_item(const airlock_value *v, size_t i); /* list item, dict value */
AIRLOCK_API const char *airlock_value_key(const airlock_value *v, size_t i);           /* dict key */
AIRLOCK_API const airlock_value *airlock_value_get(const airlock_value *v, const char *key);

/* ---- calls ------------------------------------------------------------------ */

typedef struct airlock_call airlock_call;  /* also declared in airlock.h */

/*
 * A host function. Answer with airlock_call_return() or raise with
 * airlock_call_raise()/airlock_call_deny(), then return what they returned.
 * Returning AIRLOCK_OK without answering gives None; returning anything
 * else without raising gives a RuntimeError.
 */
typedef int (*airlock_host_fn)(airlock_call *call);

AIRLOCK_API size_t airlock_call_argc(const airlock_call *call);
AIRLOCK_API const airlock_value *airlock_call_arg(const airlock_call *call, size_t i);       /* NULL past the end */
AIRLOCK_API size_t airlock_call_kwargc(const airlock_call *call);
AIRLOCK_API const char *airlock_call_kwname(const airlock_call *call, size_t i);
AIRLOCK_API const airlock_value *airlock_call_kwarg(const airlock_call *call, const char *name); /* NULL if absent */
/* Positional argument pos, else keyword `name` (NULL if neither). */
AIRLOCK_API const airlock_value *airlock_call_param(const airlock_call *call, size_t pos, const char *name);
/* Required arguments of one kind: AIRLOCK_OK, or a TypeError is raised in
 * the guest and AIRLOCK_ERROR returned (pass it on). */
AIRLOCK_API int airlock_call_get_str(airlock_call *call, size_t pos, const char *name, const char **s, size_t *len);
AIRLOCK_API int airlock_call_get_int(airlock_call *call, size_t pos, const char *name, int64_t *out);
/* The userdata given at registration (a plugin's state from init). */
AIRLOCK_API void *airlock_call_userdata(const airlock_call *call);
/* The execution (one airlock_sandbox_exec of one sandbox) this call belongs
 * to: a number unique within the runtime, never 0. Tag what a call creates
 * with it, so that airlock_plugin.rollback can release it. */
AIRLOCK_API uint64_t airlock_call_exec(const airlock_call *call);
AIRLOCK_API const char *airlock_call_module(const airlock_call *call);
AIRLOCK_API const char *airlock_call_function(const airlock_call *call);

/* Answer with result (ownership taken; NULL means out of memory). */
AIRLOCK_API int airlock_call_return(airlock_call *call, airlock_value *result);
/*
 * Raise exc_type(message) in the guest; returns AIRLOCK_ERROR. exc_type is
 * a builtin exception name ("ValueError", "PermissionError", ...) or
 * "module.Name" for an exception class the plugin's Python source defines;
 * anything else becomes RuntimeError.
 */
AIRLOCK_API int airlock_call_raise(airlock_call *call, const char *exc_type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Refuse: raise PermissionError and record the call as denied in the
 * audit log. */
AIRLOCK_API int airlock_call_deny(airlock_call *call, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record the call as denied in the audit log without raising (e.g. an
 * environment variable that is not granted reads as unset). */
AIRLOCK_API void airlock_call_note_denied(airlock_call *call, const char *reason);
/*
 * For callbacks doing long work (a slow query, a transfer): non-zero when
 * the calling execution must stop, because airlock_sandbox_interrupt() was
 * called or its deadline passed; the value is the airlock_limit_kind
 * (AIRLOCK_LIMIT_INTERRUPT, AIRLOCK_LIMIT_TIMEOUT). Poll it, and when it is
 * set give up (raise anything): the run then ends with that limit.
 * Since plugin ABI 1.1.
 */
AIRLOCK_API int airlock_call_should_stop(const airlock_call *call);

/* ---- plugins ----------------------------------------------------------------- */

typedef struct airlock_function {
    const char *name;         /* Python identifier; NULL ends the list */
    airlock_host_fn fn;
    const char *doc;          /* one line, optional */
} airlock_function;

typedef struct airlock_module {
    const char *name;                    /* guest module name; NULL ends the list */
    const airlock_function *functions;   /* bound as module attributes */
    /*
     * Optional Python source run once, in the module, after the functions
     * are bound, when the start-up snapshot is built: friendly wrappers,
     * exception classes, patches to other modules. Runs with the sandbox's
     * own privileges (none); it can only call this module's functions.
     */
    const char *python;
} airlock_module;

typedef struct airlock_plugin {
    uint32_t abi_version;     /* AIRLOCK_PLUGIN_ABI_VERSION; always first */
    const char *name;         /* short, e.g. "example" */
    const char *version;      /* the plugin's own version, free form */
    /* What the plugin gives the guest, in plain words for the person who
     * grants it: shown by `airlock --list-grants` and to agents. */
    const char *grants;
    const airlock_module *modules;
    /* Optional: parse options ("--plugin x.so=OPTIONS"; NULL if none) and
     * make the state every call gets as userdata. Non-zero refuses the
     * plugin with the message written to err. */
    int (*init)(const char *options, void **state, char *err, size_t errsize);
    void (*fini)(void *state);
    /* Optional: the grants text for this state, when it depends on the
     * options (written to buf, NUL-terminated). */
    void (*describe)(void *state, char *buf, size_t size);
    /*
     * Optional (ABI 1.2): execution `exec` (see airlock_call_exec) was rolled
     * back: a hard stop or a trap put the sandbox's memory back as it was
     * before it, so the guest no longer knows of anything its calls made.
     * Release what they made (handles, connections, buffers) so the host
     * matches the guest. What earlier executions made must stay. Called on
     * the sandbox's thread after the execution, never during a call.
     */
    void (*rollback)(void *state, uint64_t exec);
} airlock_plugin;

/* ---- the function table handed to shared-object plugins ---------------------- */

typedef struct airlock_api {
    uint32_t abi_version;
    uint32_t size;            /* sizeof(airlock_api) on the host side */
    airlock_value *(*new_none)(void);
    airlock_value *(*new_bool)(int);
    airlock_value *(*new_int)(int64_t);
    airlock_value *(*new_float)(double);
    airlock_value *(*new_str)(const char *);
    airlock_value *(*new_strn)(const char *, size_t);
    airlock_value *(*new_bytes)(const void *, size_t);
    airlock_value *(*new_list)(void);
    airlock_value *(*new_dict)(void);
    int (*list_append)(airlock_value *, airlock_value *);
    int (*dict_set)(airlock_value *, const char *, airlock_value *);
    airlock_value *(*value_copy)(const airlock_value *);
    void (*value_free)(airlock_value *);
    airlock_kind (*value_kind)(const airlock_value *);
    int (*value_bool)(const airlock_value *);
    int64_t (*value_int)(const airlock_value *);
    double (*value_float)(const airlock_value *);
    const char *(*value_str)(const airlock_value *, size_t *);
    const uint8_t *(*value_bytes)(const airlock_value *, size_t *);
    size_t (*value_len)(const airlock_value *);
    const airlock_value *(*value_item)(const airlock_value *, size_t);
    const char *(*value_key)(const airlock_value *, size_t);
    const airlock_value *(*value_get)(const airlock_value *, const char *);
    size_t (*call_argc)(const airlock_call *);
    const airlock_value *(*call_arg)(const airlock_call *, size_t);
    size_t (*call_kwargc)(const airlock_call *);
    const char *(*call_kwname)(const airlock_call *, size_t);
    const airlock_value *(*call_kwarg)(const airlock_call *, const char *);
    const airlock_value *(*call_param)(const airlock_call *, size_t, const char *);
    int (*call_get_str)(airlock_call *, size_t, const char *, const char **, size_t *);
    int (*call_get_int)(airlock_call *, size_t, const char *, int64_t *);
    void *(*call_userdata)(const airlock_call *);
    const char *(*call_module)(const airlock_call *);
    const char *(*call_function)(const airlock_call *);
    int (*call_return)(airlock_call *, airlock_value *);
    int (*call_raise)(airlock_call *, const char *, const char *, ...);
    int (*call_deny)(airlock_call *, const char *, ...);
    void (*call_note_denied)(airlock_call *, const char *);
    /* since ABI 1.1 */
    int (*call_should_stop)(const airlock_call *);
    /* since ABI 1.2 */
    uint64_t (*call_exec)(const airlock_call *);
} airlock_api;

/* Names of the two symbols a plugin shared object exports. */
#define AIRLOCK_PLUGIN_ABI_SYMBOL "airlock_plugin_abi"
#define AIRLOCK_PLUGIN_ENTRY_SYMBOL "airlock_plugin_entry"
typedef const airlock_plugin *(*airlock_plugin_entry_fn)(const airlock_api *api);

#ifdef AIRLOCK_PLUGIN_DYNAMIC
/* Inside a plugin shared object every call goes through the table. */
extern const airlock_api *airlock_api_table_ __attribute__((visibility("hidden")));
#define airlock_value_new_none airlock_api_table_->new_none
#define airlock_value_new_bool airlock_api_table_->new_bool
#define airlock_value_new_int airlock_api_table_->new_int
#define airlock_value_new_float airlock_api_table_->new_float
#define airlock_value_new_str airlock_api_table_->new_str
#define airlock_value_new_strn airlock_api_table_->new_strn
#define airlock_value_new_bytes airlock_api_table_->new_bytes
#define airlock_value_new_list airlock_api_table_->new_list
#define airlock_value_new_dict airlock_api_table_->new_dict
#define airlock_list_append airlock_api_table_->list_append
#define airlock_dict_set airlock_api_table_->dict_set
#define airlock_value_copy airlock_api_table_->value_copy
#define airlock_value_free airlock_api_table_->value_free
#define airlock_value_kind airlock_api_table_->value_kind
#define airlock_value_bool airlock_api_table_->value_bool
#define airlock_value_int airlock_api_table_->value_int
#define airlock_value_float airlock_api_table_->value_float
#define airlock_value_str airlock_api_table_->value_str
#define airlock_value_bytes airlock_api_table_->value_bytes
#define airlock_value_len airlock_api_table_->value_len
#define airlock_value_item airlock_api_table_->value_item
#define airlock_value_key airlock_api_table_->value_key
#define airlock_value_get airlock_api_table_->value_get
#define airlock_call_argc airlock_api_table_->call_argc
#define airlock_call_arg airlock_api_table_->call_arg
#define airlock_call_kwargc airlock_api_table_->call_kwargc
#define airlock_call_kwname airlock_api_table_->call_kwname
#define airlock_call_kwarg airlock_api_table_->call_kwarg
#define airlock_call_param airlock_api_table_->call_param
#define airlock_call_get_str airlock_api_table_->call_get_str
#define airlock_call_get_int airlock_api_table_->call_get_int
#define airlock_call_userdata airlock_api_table_->call_userdata
#define airlock_call_module airlock_api_table_->call_module
#define airlock_call_function airlock_api_table_->call_function
#define airlock_call_return airlock_api_table_->call_return
#define airlock_call_raise airlock_api_table_->call_raise
#define airlock_call_deny airlock_api_table_->call_deny
#define airlock_call_note_denied airlock_api_table_->call_note_denied
#define airlock_call_should_stop airlock_api_table_->call_should_stop
#define airlock_call_exec airlock_api_table_->call_exec

/* End a plugin's source with this: it defines the two exported symbols. */
#define AIRLOCK_PLUGIN_EXPORT(plugin)                                                          \
    const airlock_api *airlock_api_table_ __attribute__((visibility("hidden")));               \
    __attribute__((visibility("default"))) const uint32_t airlock_plugin_abi =                 \
        AIRLOCK_PLUGIN_ABI_VERSION;                                                            \
    __attribute__((visibility("default"))) const airlock_plugin *airlock_plugin_entry(         \
        const airlock_api *api) {                                                              \
        airlock_api_table_ = api;                                                              \
        return &(plugin);                                                                      \
    }
#else
#define AIRLOCK_PLUGIN_EXPORT(plugin)
#endif

#ifdef __cplusplus
}
#endif

#endif /* AIRLOCK_PLUGIN_H */
