/*
 * sandbox.c - lifecycle of runtimes and sandboxes: the public API.
 *
 * A runtime has one guest (guest.h), which boots once when the first
 * sandbox is made and keeps the result as its start-up state; every
 * sandbox is a fresh vm made from that state (for MicroPython a
 * copy-on-write view of a snapshot, so creating one costs a mapping, not
 * a boot).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grants.h"
#include "guests/guest.h"
#include "plugins/host.h"
#include "runtime/undo.h"
#include "runtime/vm.h"
#include "sandbox.h"
#include "vfs/vfs.h"

static pthread_once_t process_once = PTHREAD_ONCE_INIT;

/* Every guest built in initialises once: the tables of function
 * signatures its generated code registers are process-wide. */
static void process_init(void) {
    for (const guest_ops *const *g = guest_all(); *g; g++) (*g)->process_init();
    vm_signals_install();
}

/* ---- error messages ---------------------------------------------------- */

static int vfail(char *buf, size_t size, int code, const char *fmt, va_list ap) {
    vsnprintf(buf, size, fmt, ap);
    return code;
}

static int fail(char *buf, size_t size, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(buf, size, code, fmt, ap);
    va_end(ap);
    return code;
}

int runtime_fail(airlock_runtime *rt, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(rt->errmsg, sizeof rt->errmsg, code, fmt, ap);
    va_end(ap);
    return code;
}

int sandbox_fail(airlock_sandbox *sb, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vfail(sb->errmsg, sizeof sb->errmsg, code, fmt, ap);
    va_end(ap);
    return code;
}

struct host_registry **runtime_registry(airlock_runtime *rt) { return &rt->host; }
pthread_mutex_t *runtime_lock(airlock_runtime *rt) { return &rt->lock; }
bool runtime_booted(const airlock_runtime *rt) { return rt->booted; }

#define RT_FAIL(rt, code, ...) fail((rt)->errmsg, sizeof (rt)->errmsg, code, __VA_ARGS__)
#define SB_FAIL(sb, code, ...) sandbox_fail(sb, code, __VA_ARGS__)

/* ---- versioned structs (airlock.h) ---------------------------------------- */

int sized_copy_in(void *dst, size_t dst_size, const void *src, size_t v1_size) {
    uint32_t size;
    memcpy(&size, src, sizeof size);
    if (size < v1_size) return AIRLOCK_MISUSE;
    memset(dst, 0, dst_size);
    memcpy(dst, src, size < dst_size ? size : dst_size);
    for (size_t i = dst_size; i < size; i++) /* fields of a newer header */
        if (((const uint8_t *)src)[i]) return AIRLOCK_MISUSE;
    return AIRLOCK_OK;
}

int sized_copy_out(void *dst, const void *src, size_t src_size, size_t v1_size) {
    uint32_t size;
    memcpy(&size, dst, sizeof size);
    if (size < v1_size) return AIRLOCK_MISUSE;
    size_t n = size < src_size ? size : src_size, head = sizeof size;
    memcpy((uint8_t *)dst + head, (const uint8_t *)src + head, n - head);
    if (size > src_size) memset((uint8_t *)dst + src_size, 0, size - src_size);
    return AIRLOCK_OK;
}

/* The first version of each versioned struct ends here. */
#define LIMITS_V1_SIZE sizeof(airlock_limits)
#define STATS_V1_SIZE offsetof(airlock_stats, gc_collections)

/* ---- limits ------------------------------------------------------------ */

airlock_limits sandbox_limits(const airlock_limits *in) {
    airlock_limits l = in ? *in : (airlock_limits){0};
    l.size = sizeof l;
    if (!l.memory_bytes) l.memory_bytes = AIRLOCK_DEFAULT_MEMORY;
    if (!l.max_output_bytes) l.max_output_bytes = AIRLOCK_DEFAULT_MAX_OUTPUT;
    /* "no limit" (AIRLOCK_NO_OUTPUT_LIMIT): as much as a buffer can hold */
    if (l.max_output_bytes > SIZE_MAX / 2) l.max_output_bytes = SIZE_MAX / 2;
    return l;
}

static int check_limits(const airlock_limits *l, char *err, size_t errsize);

/* The caller's limits (NULL: the defaults), checked, defaults filled in. */
static int read_limits(const airlock_limits *in, airlock_limits *out, char *err, size_t errsize) {
    airlock_limits l = {.size = sizeof(airlock_limits)};
    if (in && sized_copy_in(&l, sizeof l, in, LIMITS_V1_SIZE) != AIRLOCK_OK)
        return fail(err, errsize, AIRLOCK_MISUSE,
                    "airlock_limits.size is %u: set it to sizeof(airlock_limits) (fields unknown to this library, "
                    "from a newer airlock.h, must be zero)", (unsigned)in->size);
    *out = sandbox_limits(&l);
    return check_limits(out, err, errsize);
}

static int check_limits(const airlock_limits *l, char *err, size_t errsize) {
    if (l->timeout_seconds < 0 || l->timeout_seconds != l->timeout_seconds)
        return fail(err, errsize, AIRLOCK_MISUSE, "timeout must be a non-negative number of seconds");
    if (l->memory_bytes > (4ull << 30))
        return fail(err, errsize, AIRLOCK_MISUSE, "memory limit above 4 GiB, the most a 32-bit guest can address");
    return AIRLOCK_OK;
}


void vm_destroy(airlock_vm *vm) {
    if (!vm) return;
    host_vm_free(vm);
    undo_free(vm);
    vm_memory_unmap(vm);
    vfs_free(vm->vfs);
    vm->vfs = NULL;
    outbuf_free(&vm->out[0]);
    outbuf_free(&vm->out[1]);
    vm->guest->vm_free(vm);
}

/* ---- runtime API --------------------------------------------------------- */

int airlock_runtime_new(airlock_runtime **out) {
    if (!out) return AIRLOCK_MISUSE;
    *out = NULL;
    pthread_once(&process_once, process_init);
    airlock_runtime *rt = calloc(1, sizeof *rt);
    if (!rt) return AIRLOCK_NOMEM;
    rt->guest = guest_find(NULL);
    rt->limits = sandbox_limits(NULL);
    pthread_mutex_init(&rt->lock, NULL);
    *out = rt;
    return AIRLOCK_OK;
}

void airlock_runtime_free(airlock_runtime *rt) {
    if (!rt) return;
    if (rt->booted) rt->guest->runtime_free(rt);
    free(rt->initial_cwd);
    grants_free(rt);
    host_registry_free(rt);
    pthread_mutex_destroy(&rt->lock);
    free(rt);
}

const char *airlock_runtime_errmsg(const airlock_runtime *rt) {
    return rt ? rt->errmsg : "no runtime";
}

int airlock_runtime_set_limits(airlock_runtime *rt, const airlock_limits *lim) {
    if (!rt) return AIRLOCK_MISUSE;
    airlock_limits l;
    int rc = read_limits(lim, &l, rt->errmsg, sizeof rt->errmsg);
    if (rc == AIRLOCK_OK) rt->limits = l;
    return rc;
}

int airlock_runtime_chdir(airlock_runtime *rt, const char *guest_path) {
    if (!rt || !guest_path || guest_path[0] != '/')
        return rt ? RT_FAIL(rt, AIRLOCK_MISUSE, "the working directory must be an absolute guest path") : AIRLOCK_MISUSE;
    char *copy = strdup(guest_path);
    if (!copy) return RT_FAIL(rt, AIRLOCK_NOMEM, "out of memory");
    free(rt->initial_cwd);
    rt->initial_cwd = copy;
    return AIRLOCK_OK;
}

int airlock_runtime_set_bounds_checks(airlock_runtime *rt, int mode) {
    if (!rt) return AIRLOCK_MISUSE;
    int built = WASM_RT_MEMCHECK_SIGNAL_HANDLER ? AIRLOCK_BOUNDS_GUARD : AIRLOCK_BOUNDS_EXPLICIT;
    if (mode == built) return AIRLOCK_OK;
    if (mode != AIRLOCK_BOUNDS_GUARD && mode != AIRLOCK_BOUNDS_EXPLICIT)
        return RT_FAIL(rt, AIRLOCK_MISUSE, "unknown bounds-check mode %d", mode);
    return RT_FAIL(rt, AIRLOCK_MISUSE, "this library was built with %s bounds checks only (build it with "
                   "BOUNDS=%s for the other)", built == AIRLOCK_BOUNDS_GUARD ? "guard-page" : "explicit",
                   built == AIRLOCK_BOUNDS_GUARD ? "explicit" : "guard");
}

int airlock_runtime_set_compat(airlock_runtime *rt, int enabled) {
    if (!rt) return AIRLOCK_MISUSE;
    if (rt->booted)
        return RT_FAIL(rt, AIRLOCK_MISUSE, "the compatibility layer must be chosen before the first sandbox");
    rt->no_compat = !enabled;
    return AIRLOCK_OK;
}

const char *airlock_version(void) { return AIRLOCK_VERSION; }
int airlock_version_number(void) { return AIRLOCK_VERSION_NUMBER; }
const char *airlock_guest_version(void) { return guest_find(NULL)->version; }
const char *airlock_guest_sha256(void) { return guest_find(NULL)->sha256; }

/* ---- sandbox API --------------------------------------------------------- */

int sandbox_apply_limits(airlock_sandbox *sb, const airlock_limits *lim) {
    airlock_limits l;
    int rc = read_limits(lim, &l, sb->errmsg, sizeof sb->errmsg);
    if (rc) return rc;
    if (l.fuel && !sb->rt->guest->fuel)
        return SB_FAIL(sb, AIRLOCK_MISUSE, "the %s guest does not count fuel yet: a fuel limit cannot stop it",
                       sb->rt->guest->name);
    if (l.memory_bytes < sb->rt->boot_memory)
        return SB_FAIL(sb, AIRLOCK_MISUSE, "memory limit %llu bytes is below the %llu bytes the interpreter needs",
                       (unsigned long long)l.memory_bytes, (unsigned long long)sb->rt->boot_memory);
    sb->vm->limits = l;
    sb->vm->mem_limit = l.memory_bytes;
    return AIRLOCK_OK;
}

/* What rt grants that its guest cannot offer yet: refused, never ignored. */
static int check_offers(airlock_runtime *rt) {
    const guest_ops *g = rt->guest;
    const host_registry *reg = rt->host;
    const char *missing = NULL;
    if (!g->grants && rt->grants) missing = "file grants (mounts and scratch space)";
    else if (!g->host_calls && reg && (reg->nfns || reg->nplugins))
        missing = "host functions, plugins, and the sqlite and net grants";
    else if (!g->host_calls && reg && reg->nenv) missing = "environment variables";
    if (!missing) return AIRLOCK_OK;
    return RT_FAIL(rt, AIRLOCK_MISUSE, "the %s guest does not offer %s yet (the %s guest does)", g->name, missing,
                   guest_find(NULL)->name);
}

/* Boot the guest if no sandbox did yet; a failure's message is copied to
 * err under the lock (rt->errmsg is shared by every creating thread). */
static int ensure_booted(airlock_runtime *rt, char *err, size_t errsize) {
    pthread_mutex_lock(&rt->lock);
    int rc = rt->booted ? AIRLOCK_OK : check_offers(rt);
    if (rc == AIRLOCK_OK && !rt->booted) rc = rt->guest->boot(rt);
    if (rc == AIRLOCK_OK) rt->booted = true;
    else snprintf(err, errsize, "%s", rt->errmsg);
    pthread_mutex_unlock(&rt->lock);
    return rc;
}

int sandbox_create_failed(airlock_runtime *rt, airlock_sandbox **out, int code, const char *fmt, ...) {
    if (!*out && (*out = calloc(1, sizeof **out))) (*out)->rt = rt;
    if (!*out) return code;
    va_list ap;
    va_start(ap, fmt);
    vfail((*out)->errmsg, sizeof (*out)->errmsg, code, fmt, ap);
    va_end(ap);
    return code;
}

/* Turn sb, whose vm could not be made, into a handle reporting why. */
static int creation_failed(airlock_sandbox *sb, int rc) {
    vm_destroy(sb->vm);
    sb->vm = NULL;
    if (rc == AIRLOCK_NOMEM || !sb->errmsg[0]) SB_FAIL(sb, rc, "cannot create a sandbox: out of memory");
    return rc;
}

/*
 * A sandbox around a new vm that make() returns (fresh, cloned or
 * loaded), with the runtime's limits.
 */
int sandbox_create(airlock_runtime *rt, sandbox_make_fn make, void *arg, airlock_sandbox **out) {
    if (!rt || !out) return AIRLOCK_MISUSE;
    airlock_sandbox *sb = *out = calloc(1, sizeof *sb);
    if (!sb) return AIRLOCK_NOMEM;
    sb->rt = rt;
    int rc = ensure_booted(rt, sb->errmsg, sizeof sb->errmsg);
    if (rc == AIRLOCK_OK) rc = make(rt, arg, &sb->vm, sb->errmsg, sizeof sb->errmsg);
    if (rc == AIRLOCK_OK) rc = sandbox_apply_limits(sb, &rt->limits);
    return rc ? creation_failed(sb, rc) : AIRLOCK_OK;
}

static int make_fresh(airlock_runtime *rt, void *arg, airlock_vm **vm, char *err, size_t errsize) {
    (void)arg;
    return rt->guest->vm_new(rt, vm, err, errsize);
}

int airlock_sandbox_new(airlock_runtime *rt, airlock_sandbox **out) {
    return sandbox_create(rt, make_fresh, NULL, out);
}

void sandbox_clear_run(airlock_sandbox *sb) {
    free(sb->result);
    free(sb->err_type);
    free(sb->err_message);
    free(sb->err_traceback);
    sb->result = sb->err_type = sb->err_message = sb->err_traceback = NULL;
    sb->result_len = 0;
    sb->exit_code = 0;
    sb->errmsg[0] = '\0';
}

/*
 * After a trap the guest was abandoned mid-instruction: its memory may hold
 * half-made structures. Replace it with a fresh vm from the start-up state.
 */
int sandbox_recover(airlock_sandbox *sb, int trap) {
    airlock_vm *old = sb->vm, *vm = NULL;
    char err[256] = "";
    int rc = sb->rt->guest->vm_new(sb->rt, &vm, err, sizeof err);
    if (rc == AIRLOCK_OK) {
        vm->limits = old->limits;
        vm->mem_limit = old->mem_limit;
        /* keep what the run printed before it was stopped */
        vm->out[0] = old->out[0];
        vm->out[1] = old->out[1];
        memset(&old->out, 0, sizeof old->out);
        sb->vm = vm;
        vm_destroy(old);
    }
    const char *why = sb->limit ? airlock_limit_name(sb->limit) : NULL;
    /* A caller that asked for no rollback discards the sandbox (and keeps
     * its own copy of the state, if any): "reset" would tell it nothing. */
    const char *after = sb->no_rollback ? "" : "; the session was reset";
    if (why)
        SB_FAIL(sb, AIRLOCK_LIMIT, "the %s limit stopped the run%s", why, after);
    else
        SB_FAIL(sb, AIRLOCK_TRAP, "the guest trapped (%s)%s", vm_trap_message(trap), after);
    return why ? AIRLOCK_LIMIT : AIRLOCK_TRAP;
}

void airlock_sandbox_free(airlock_sandbox *sb) {
    if (!sb) return;
    if (sb->vm) sandbox_clear_run(sb);
    vm_destroy(sb->vm);
    free(sb);
}

int airlock_sandbox_set_limits(airlock_sandbox *sb, const airlock_limits *lim) {
    if (!sb || !sb->vm) return AIRLOCK_MISUSE;
    return sandbox_apply_limits(sb, lim);
}

void airlock_sandbox_interrupt(airlock_sandbox *sb) {
    if (sb) atomic_fetch_add(&sb->interrupts.sent, 1);
}

/* The captured stream i of sb's last execution; "" without a sandbox. */
static const char *captured(const airlock_sandbox *sb, int i, size_t *len) {
    bool ran = sb && sb->vm;
    if (len) *len = ran ? sb->vm->out[i].len : 0;
    return ran ? outbuf_str(&sb->vm->out[i]) : "";
}

const char *airlock_sandbox_stdout(const airlock_sandbox *sb, size_t *len) { return captured(sb, 0, len); }
const char *airlock_sandbox_stderr(const airlock_sandbox *sb, size_t *len) { return captured(sb, 1, len); }

const char *airlock_sandbox_result(const airlock_sandbox *sb, size_t *len) {
    if (len) *len = sb && sb->result ? sb->result_len : 0;
    return sb ? sb->result : NULL;
}

const char *airlock_sandbox_error_type(const airlock_sandbox *sb) { return sb ? sb->err_type : NULL; }
const char *airlock_sandbox_error_message(const airlock_sandbox *sb) { return sb ? sb->err_message : NULL; }
const char *airlock_sandbox_error_traceback(const airlock_sandbox *sb) { return sb ? sb->err_traceback : NULL; }
int airlock_sandbox_exit_code(const airlock_sandbox *sb) { return sb ? sb->exit_code : 0; }
airlock_limit_kind airlock_sandbox_limit_hit(const airlock_sandbox *sb) { return sb ? sb->limit : AIRLOCK_LIMIT_NONE; }
const char *airlock_sandbox_errmsg(const airlock_sandbox *sb) { return sb ? sb->errmsg : "no sandbox"; }

const char *airlock_limit_name(airlock_limit_kind kind) {
    static const char *const names[] = {NULL, "fuel", "timeout", "memory", "output", "interrupt", "stack"};
    return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : NULL;
}

int airlock_sandbox_stats(const airlock_sandbox *sb, airlock_stats *out) {
    if (!out) return AIRLOCK_MISUSE;
    airlock_stats none = {.size = sizeof none};
    return sized_copy_out(out, sb ? &sb->stats : &none, sizeof none, STATS_V1_SIZE);
}

void airlock_sandbox_set_userdata(airlock_sandbox *sb, void *userdata) {
    if (sb) sb->userdata = userdata;
}

void *airlock_sandbox_userdata(const airlock_sandbox *sb) { return sb ? sb->userdata : NULL; }
