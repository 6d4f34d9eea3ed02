/*
 * sys.c - the CPython guest's imports besides files: calls through the
 * function table, the soft stop, clocks and time zone, environment and
 * randomness, exit, and the capabilities a sandbox does not have
 * (processes, name resolution, dynamic loading, libffi), which fail as
 * POSIX systems fail them. Sockets: net.c.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "abi/abi.h"
#include "cpython_vm.h"
#include "runtime/meter.h"
#include "vfs/vfs.h"

#define ENV(env) ((struct Z_env_instance_t *)(void *)(env))

static u32 fail(uint32_t wasi_errno) { return (u32) - (int32_t)wasi_errno; }

/* ---- calls through the function table ----------------------------------- */

/*
 * CPython calls C functions through pointers whose declared type may not
 * be the real one (a METH_NOARGS function called with two arguments).
 * Pyodide routes those calls to _PyEM_TrampolineCall_JS, where JavaScript
 * drops the surplus arguments. Here: the table entry's own type says how
 * many i32 arguments it takes (0 to 3) and whether it returns an i32; any
 * other entry, or a bad index, traps.
 */
enum { TRAMP_ARITY = 4 };
static uint32_t tramp_returns[TRAMP_ARITY], tramp_void[TRAMP_ARITY];
static pthread_once_t tramp_once = PTHREAD_ONCE_INIT;

#define I32 WASM_RT_I32
static void register_tramp_types(void) {
    tramp_returns[0] = wasm_rt_register_func_type(0, 1, I32);
    tramp_returns[1] = wasm_rt_register_func_type(1, 1, I32, I32);
    tramp_returns[2] = wasm_rt_register_func_type(2, 1, I32, I32, I32);
    tramp_returns[3] = wasm_rt_register_func_type(3, 1, I32, I32, I32, I32);
    tramp_void[0] = wasm_rt_register_func_type(0, 0);
    tramp_void[1] = wasm_rt_register_func_type(1, 0, I32);
    tramp_void[2] = wasm_rt_register_func_type(2, 0, I32, I32);
    tramp_void[3] = wasm_rt_register_func_type(3, 0, I32, I32, I32);
}
#undef I32

void cpython_trampoline_init(void) { pthread_once(&tramp_once, register_tramp_types); }

typedef u32 (*ret3)(void *, u32, u32, u32);
typedef u32 (*ret2)(void *, u32, u32);
typedef u32 (*ret1)(void *, u32);
typedef u32 (*ret0)(void *);
typedef void (*void3)(void *, u32, u32, u32);
typedef void (*void2)(void *, u32, u32);
typedef void (*void1)(void *, u32);
typedef void (*void0)(void *);

static const wasm_rt_funcref_t *table_entry(airlock_vm *vm, u32 index) {
    const wasm_rt_funcref_table_t *t = &cpython_of(vm)->inst.w2c___indirect_function_table;
    if (UNLIKELY(index >= t->size || !t->data[index].func)) vm_trap(vm, VM_TRAP_BAD_CALL);
    return &t->data[index];
}

u32 Z_pyenvZ__PyEM_TrampolineCall_JS(struct Z_pyenv_instance_t *env, u32 func, u32 a1, u32 a2, u32 a3) {
    airlock_vm *vm = PYVM(env);
    const wasm_rt_funcref_t *e = table_entry(vm, func);
    uint32_t type = e->func_type;
    void *m = e->module_instance;
    /* most frequent first: (self, args) and (self, args, kwargs) */
    if (type == tramp_returns[2]) return ((ret2)e->func)(m, a1, a2);
    if (type == tramp_returns[3]) return ((ret3)e->func)(m, a1, a2, a3);
    if (type == tramp_returns[1]) return ((ret1)e->func)(m, a1);
    if (type == tramp_returns[0]) return ((ret0)e->func)(m);
    if (type == tramp_void[1]) return ((void1)e->func)(m, a1), 0;
    if (type == tramp_void[2]) return ((void2)e->func)(m, a1, a2), 0;
    if (type == tramp_void[3]) return ((void3)e->func)(m, a1, a2, a3), 0;
    if (type == tramp_void[0]) return ((void0)e->func)(m), 0;
    vm_trap(vm, VM_TRAP_BAD_CALL);
}

/* A signal handler CPython registered: (int) -> void. */
void Z_pyenvZ___call_sighandler(struct Z_pyenv_instance_t *env, u32 fp, u32 sig) {
    airlock_vm *vm = PYVM(env);
    const wasm_rt_funcref_t *e = table_entry(vm, fp);
    if (e->func_type != tramp_void[1]) vm_trap(vm, VM_TRAP_BAD_CALL);
    ((void1)e->func)(e->module_instance, sig);
}

/* ---- stopping ---------------------------------------------------------------- */

#define SIGINT_GUEST 2

/*
 * Stopping (runtime/meter.c). Three limits: the deadline, airlock_interrupt(),
 * and fuel. They are noticed where the fuel pass (guests/cpython/meter.c)
 * calls fuel_exhausted, at the end of every slice of fuel, so that no loop,
 * in Python or in C, escapes them; and at the guest's clock, which
 * time.sleep polls. The first stop is soft: CPython's eval loop calls the
 * signal helper below every 50 checks of its eval breaker once the byte
 * Py_EMSCRIPTEN_SIGNAL_HANDLING is set (boot.c sets it), and at once when
 * a stop begins, and so does every PyErr_CheckSignals (C loops, and
 * blocking calls that fail with EINTR); it returns SIGINT once and CPython
 * raises KeyboardInterrupt (`finally` blocks run). A guest still running
 * after the grace (it caught the exception, sleeps, or loops in C where no
 * KeyboardInterrupt is raised) is stopped by force: the call traps.
 */
void Z_pyairlockZ_fuel_exhausted(struct Z_pyairlock_instance_t *self) { meter_exhausted(PYVM(self)); }

/* The next of the eval loop's periodic checks calls the helper below (not
 * up to 50 later): code that blocks again soon still sees the stop. */
static void signal_soon(airlock_vm *vm) {
    vm_store_u32(vm, cpython_of(vm)->inst.w2c__Py_emscripten_signal_clock, 0);
}

/* The grace is longer than the MicroPython guest's 0.1 s: CPython unwinds
 * and prints an uncaught KeyboardInterrupt's traceback in Python code
 * (traceback is imported at boot, boot.c). The grace of a fuel stop is
 * fuel too (the same on every machine); the others' is time, with what
 * fuel is left. */
const guest_meter cpython_meter = {
    .counter = (ptrdiff_t)offsetof(cpython_vm, inst.w2c_airlock_fuel) - (ptrdiff_t)offsetof(cpython_vm, vm),
    .slice = 1000000, /* guest/patch/README.md: slices */
    .grace_ns = 1000000000, /* 1 s */
    .grace_fuel = 2000000000,
    .soft_stop = signal_soon,
};

u32 Z_pyenvZ__Py_CheckEmscriptenSignals_Helper(struct Z_pyenv_instance_t *env) {
    airlock_vm *vm = PYVM(env);
    if (!vm->stop_reason || vm->soft_stops) return 0;
    vm->soft_stops = 1;
    return SIGINT_GUEST;
}

/* exit(), or CPython's Py_Exit for an uncaught SystemExit: the call ends. */
static _Noreturn void guest_exit(airlock_vm *vm, u32 status) {
    cpython_vm *c = cpython_of(vm);
    c->exited = true;
    c->exit_status = (int)status;
    vm_trap(vm, CPYTHON_TRAP_EXIT);
}

void Z_pywasiZ_proc_exit(struct Z_pywasi_instance_t *w, u32 status) { guest_exit(PYVM(w), status); }
void Z_pyenvZ_exit(struct Z_pyenv_instance_t *env, u32 status) { guest_exit(PYVM(env), status); }
void Z_pyenvZ__abort_js(struct Z_pyenv_instance_t *env) { Z_envZ__abort_js(ENV(env)); }

void Z_pyenvZ___assert_fail(struct Z_pyenv_instance_t *env, u32 expr, u32 file, u32 line, u32 func) {
    (void)expr, (void)file, (void)line, (void)func;
    vm_trap(PYVM(env), VM_TRAP_ABORT);
}

_Noreturn void cpython_refuse_js(struct Z_pyenv_instance_t *env, const char *import) {
    airlock_vm *vm = PYVM(env);
    cpython_of(vm)->refused_js = import;
    vm_trap(vm, VM_TRAP_NO_JS);
}

/* ---- memory ------------------------------------------------------------------- */

u32 Z_pyenvZ_emscripten_resize_heap(struct Z_pyenv_instance_t *env, u32 requested) {
    return Z_envZ_emscripten_resize_heap(ENV(env), requested);
}

u32 Z_pyenvZ_emscripten_get_heap_max(struct Z_pyenv_instance_t *env) {
    airlock_vm *vm = PYVM(env);
    uint64_t max = (uint64_t)vm->mem->max_pages * 65536u;
    if (vm->mem_limit < max) max = vm->mem_limit;
    return max > 0xffff0000u ? 0xffff0000u : (u32)max;
}

/* ---- clocks and the time zone (UTC) ------------------------------------------ */

/* Deterministic mode: both clocks advance 1 ms per reading, from boot
 * (monotonic) and from 2024-01-01T00:00:00Z (real time), as the
 * MicroPython guest's; a sleep then ends after as many readings. */
#define DETERMINISTIC_EPOCH_NS 1704067200000000000ull
#define MS 1000000u

static uint64_t realtime_ns(airlock_vm *vm) {
    if (vm->deterministic) return DETERMINISTIC_EPOCH_NS + vm->det_ms++ * MS;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Monotonic time since the vm's origin. Emscripten's libc sleeps by
 * polling this clock; abi_clock_polled turns the spin into real waiting. */
static uint64_t guest_monotonic_ns(airlock_vm *vm) {
    uint64_t now = abi_monotonic_ns();
    meter_check(vm, now);
    if (vm->deterministic) return vm->det_ms++ * MS;
    uint64_t ns = now - vm->ticks_origin_ns;
    abi_clock_polled(vm, (uint32_t)(ns / MS));
    return ns;
}

/* Blocking calls wait in steps, so that a stop ends the wait in time. A
 * wait that begins in a stop's grace (the guest went on waiting) is not
 * cut short: the grace's end makes the stop a hard one (meter_check). */
#define WAIT_STEP_NS 10000000u

bool cpython_wait(airlock_vm *vm, int32_t ms) {
    if (vm->deterministic && ms >= 0) { /* the time passes on the guest's clock only */
        vm->det_ms += (uint64_t)ms;
        return true;
    }
    bool stopping = vm->stop_reason != AIRLOCK_LIMIT_NONE;
    uint64_t now = abi_monotonic_ns();
    uint64_t until = ms < 0 ? UINT64_MAX : now + (uint64_t)ms * MS;
    for (;;) {
        meter_check(vm, now);
        if (vm->stop_reason && !stopping) return false;
        if (now >= until) return true;
        uint64_t step = until - now < WAIT_STEP_NS ? until - now : WAIT_STEP_NS;
        struct timespec pause = {(time_t)(step / 1000000000u), (long)(step % 1000000000u)};
        nanosleep(&pause, NULL);
        now = abi_monotonic_ns();
    }
}

f64 Z_pyenvZ_emscripten_date_now(struct Z_pyenv_instance_t *env) {
    return (f64)(realtime_ns(PYVM(env)) / MS);
}

/*
 * Emscripten's libc sleeps (time.sleep, through clock_nanosleep) by reading
 * emscripten_get_now in a loop until the time has passed; no Python clock
 * reads it (they use clock_time_get), only that loop, sched_yield and the
 * interval timers, which this guest does not have. So a reading that
 * closely follows another waits first, a quarter of the time since their
 * run began, from 50 us to 1 ms: a sleep overshoots by a quarter of its
 * length at most, and 1 ms, and wakes about 1,000 times a second.
 */
#define PACE_MIN_NS 50000u
#define PACE_MAX_NS 1000000u
#define PACE_GAP_NS 2000000u /* a longer gap between readings begins a new run */

static void sleep_pace(cpython_vm *c) {
    uint64_t now = abi_monotonic_ns();
    if (now - c->sleep_last_ns > PACE_GAP_NS) {
        c->sleep_run_ns = now;
    } else {
        uint64_t step = (now - c->sleep_run_ns) / 4;
        step = step < PACE_MIN_NS ? PACE_MIN_NS : step > PACE_MAX_NS ? PACE_MAX_NS : step;
        struct timespec pause = {0, (long)step};
        nanosleep(&pause, NULL);
        now = abi_monotonic_ns();
    }
    c->sleep_last_ns = now;
}

/* A stop that begins during a sleep ends it: the reading is +infinity, so
 * the loop's "now - start < ms" fails, the sleep returns, and the check
 * that follows the call raises the soft stop's KeyboardInterrupt. In the
 * grace a sleep goes on, until the hard stop. */
f64 Z_pyenvZ_emscripten_get_now(struct Z_pyenv_instance_t *env) {
    airlock_vm *vm = PYVM(env);
    if (!vm->deterministic) sleep_pace(cpython_of(vm));
    uint64_t ns = guest_monotonic_ns(vm);
    if (vm->stop_reason && !vm->soft_stops) return HUGE_VAL;
    return (f64)ns / 1e6;
}

u32 Z_pywasiZ_clock_time_get(struct Z_pywasi_instance_t *w, u32 id, u64 precision, u32 out) {
    (void)precision;
    airlock_vm *vm = PYVM(w);
    uint8_t *p = vm_ptr(vm, out, 8);
    if (!p) return cpython_errno(VFS_EINVAL);
    uint64_t ns = id == 0 ? realtime_ns(vm) : guest_monotonic_ns(vm); /* 0 realtime; monotonic, cpu time */
    memcpy(p, &ns, 8);
    return 0;
}

u32 Z_pywasiZ_clock_res_get(struct Z_pywasi_instance_t *w, u32 id, u32 out) {
    (void)id;
    uint8_t *p = vm_ptr(PYVM(w), out, 8);
    if (!p) return cpython_errno(VFS_EINVAL);
    uint64_t ns = 1000;
    memcpy(p, &ns, 8);
    return 0;
}

static bool put_string(airlock_vm *vm, u32 addr, const char *s) {
    size_t n = strlen(s) + 1;
    uint8_t *p = vm_ptr(vm, addr, n);
    if (!p) return false;
    memcpy(p, s, n);
    return true;
}

/* _tzset_js(long *timezone, int *daylight, char *std_name, char *dst_name) */
void Z_pyenvZ__tzset_js(struct Z_pyenv_instance_t *env, u32 timezone, u32 daylight, u32 std_name, u32 dst_name) {
    airlock_vm *vm = PYVM(env);
    if (!vm_store_u32(vm, timezone, 0) || !vm_store_u32(vm, daylight, 0) || !put_string(vm, std_name, "UTC") ||
        !put_string(vm, dst_name, "UTC"))
        vm_trap(vm, WASM_RT_TRAP_OOB);
}

/* Emscripten's struct tm: nine ints, long tm_gmtoff, const char *tm_zone. */
#define TM_SIZE 44u

/* "UTC" in guest memory for tm_zone, allocated once with the guest's malloc. */
static u32 utc_name(airlock_vm *vm) {
    cpython_vm *c = cpython_of(vm);
    if (!c->utc_name) {
        u32 p = Z_cpythonZ_malloc(&c->inst, 4);
        if (p && put_string(vm, p, "UTC")) c->utc_name = p;
    }
    return c->utc_name;
}

static void put_tm(airlock_vm *vm, u32 addr, const struct tm *tm) {
    int32_t f[11] = {tm->tm_sec, tm->tm_min, tm->tm_hour, tm->tm_mday, tm->tm_mon, tm->tm_year,
                     tm->tm_wday, tm->tm_yday, 0, 0, 0};
    f[10] = (int32_t)utc_name(vm);
    uint8_t *p = vm_ptr(vm, addr, TM_SIZE);
    if (!p) vm_trap(vm, WASM_RT_TRAP_OOB);
    memcpy(p, f, TM_SIZE);
}

static void broken_down(struct Z_pyenv_instance_t *env, u64 t, u32 tm_addr) {
    airlock_vm *vm = PYVM(env);
    time_t when = (time_t)(int64_t)t;
    struct tm tm;
    if (!gmtime_r(&when, &tm)) memset(&tm, 0, sizeof tm);
    put_tm(vm, tm_addr, &tm);
}

void Z_pyenvZ__gmtime_js(struct Z_pyenv_instance_t *env, u64 t, u32 tm) { broken_down(env, t, tm); }
void Z_pyenvZ__localtime_js(struct Z_pyenv_instance_t *env, u64 t, u32 tm) { broken_down(env, t, tm); }

/* mktime in UTC: normalises the fields in place, returns the time or -1. */
u64 Z_pyenvZ__mktime_js(struct Z_pyenv_instance_t *env, u32 tm_addr) {
    airlock_vm *vm = PYVM(env);
    uint8_t *p = vm_ptr(vm, tm_addr, TM_SIZE);
    if (!p) vm_trap(vm, WASM_RT_TRAP_OOB);
    int32_t f[9];
    memcpy(f, p, sizeof f);
    struct tm tm = {.tm_sec = f[0], .tm_min = f[1], .tm_hour = f[2], .tm_mday = f[3], .tm_mon = f[4],
                    .tm_year = f[5]};
    time_t t = timegm(&tm);
    if (t == (time_t)-1) return (u64)-1;
    put_tm(vm, tm_addr, &tm);
    return (u64)(int64_t)t;
}

/* ---- environment, randomness, identity ----------------------------------- */

/* What the guest's getenv sees: CPython finds its standard library at
 * /lib/python314.zip from PYTHONHOME, never writes .pyc files, and writes
 * stdout and stderr through at once (captured in order, nothing left in a
 * buffer when a run ends). */
static const char *const guest_environ[] = {"PYTHONHOME=/", "LANG=C.UTF-8", "PYTHONDONTWRITEBYTECODE=1",
                                            "PYTHONUNBUFFERED=1"};
#define ENVIRON_COUNT (sizeof guest_environ / sizeof guest_environ[0])

u32 Z_pywasiZ_environ_sizes_get(struct Z_pywasi_instance_t *w, u32 count_out, u32 size_out) {
    airlock_vm *vm = PYVM(w);
    uint32_t bytes = 0;
    for (size_t i = 0; i < ENVIRON_COUNT; i++) bytes += (uint32_t)strlen(guest_environ[i]) + 1;
    if (!vm_store_u32(vm, count_out, ENVIRON_COUNT) || !vm_store_u32(vm, size_out, bytes))
        return cpython_errno(VFS_EINVAL);
    return 0;
}

u32 Z_pywasiZ_environ_get(struct Z_pywasi_instance_t *w, u32 environ, u32 buf) {
    airlock_vm *vm = PYVM(w);
    for (size_t i = 0; i < ENVIRON_COUNT; i++) {
        if (!vm_store_u32(vm, environ + (u32)(4 * i), buf) || !put_string(vm, buf, guest_environ[i]))
            return cpython_errno(VFS_EINVAL);
        buf += (u32)strlen(guest_environ[i]) + 1;
    }
    return 0;
}

u32 Z_pywasiZ_random_get(struct Z_pywasi_instance_t *w, u32 buf, u32 len) {
    airlock_vm *vm = PYVM(w);
    uint8_t *p = vm_ptr(vm, buf, len);
    if (!p) return cpython_errno(VFS_EINVAL);
    vm_prepare_write(vm, p, len);
    vm->random_draws++;
    for (u32 done = 0; done < len;) {
        if (vm->deterministic) {
            uint64_t r = abi_splitmix64(&vm->rng_state);
            u32 n = len - done < 8 ? len - done : 8;
            memcpy(p + done, &r, n);
            done += n;
            continue;
        }
        ssize_t got = getrandom(p + done, len - done, 0);
        if (got <= 0) return cpython_errno(VFS_EIO);
        done += (u32)got;
    }
    return 0;
}

void Z_pyenvZ__emscripten_get_progname(struct Z_pyenv_instance_t *env, u32 buf, u32 len) {
    static const char name[] = "python";
    airlock_vm *vm = PYVM(env);
    if (len == 0) return;
    u32 n = len < sizeof name ? len : (u32)sizeof name;
    uint8_t *p = vm_ptr(vm, buf, n);
    if (!p) vm_trap(vm, WASM_RT_TRAP_OOB);
    memcpy(p, name, n);
    p[n - 1] = '\0';
}

/* sys._emscripten_info.runtime: none (CPython shows None). */
u32 Z_pyenvZ__Py_emscripten_runtime(struct Z_pyenv_instance_t *env) {
    (void)env;
    return 0;
}

u32 Z_pyenvZ___syscall_getuid32_js(struct Z_pyenv_instance_t *env) {
    (void)env;
    return 0;
}

u32 Z_pyenvZ___syscall_umask_js(struct Z_pyenv_instance_t *env, u32 mask) {
    (void)env, (void)mask;
    return 022;
}

void Z_pyenvZ_emscripten_log_impl_js(struct Z_pyenv_instance_t *env, u32 message) { (void)env, (void)message; }
void Z_pyenvZ__emscripten_runtime_keepalive_clear(struct Z_pyenv_instance_t *env) { (void)env; }

/* No interval timers: signal.setitimer raises OSError(ENOSYS). */
u32 Z_pyenvZ__setitimer_js(struct Z_pyenv_instance_t *env, u32 which, f64 timeout_ms) {
    (void)env, (void)which, (void)timeout_ms;
    return fail(52);
}

/* ---- what a sandbox does not have ------------------------------------------ */

enum { PY_ENOSYS = 52, EAI_NONAME_GUEST = -2 };

/* system(): no shell can be started (as when fork fails). */
u32 Z_pyenvZ__emscripten_system(struct Z_pyenv_instance_t *env, u32 command) {
    (void)env;
    return command ? (u32)-1 : 0; /* system(NULL): no shell is available */
}

u32 Z_pyenvZ___syscall_pipe(struct Z_pyenv_instance_t *env, u32 fds) {
    (void)env, (void)fds;
    return fail(PY_ENOSYS);
}

/* No name resolves (socket.gaierror); getaddrinfo: net.c. */
u32 Z_pyenvZ_getnameinfo(struct Z_pyenv_instance_t *env, u32 sa, u32 salen, u32 node, u32 nodelen, u32 serv,
                         u32 servlen, u32 flags) {
    (void)env, (void)sa, (void)salen, (void)node, (void)nodelen, (void)serv, (void)servlen, (void)flags;
    return (u32)EAI_NONAME_GUEST;
}
u32 Z_pyenvZ_getprotobyname(struct Z_pyenv_instance_t *env, u32 name) {
    (void)env, (void)name;
    return 0;
}
u32 Z_pyenvZ__emscripten_lookup_name(struct Z_pyenv_instance_t *env, u32 name) {
    (void)env, (void)name;
    return 0;
}

/* Dynamic loading: nothing can be loaded (ImportError / OSError). */
u32 Z_pyenvZ__dlopen_js(struct Z_pyenv_instance_t *env, u32 handle) {
    (void)env, (void)handle;
    return 0;
}
u32 Z_pyenvZ__dlsym_js(struct Z_pyenv_instance_t *env, u32 handle, u32 symbol, u32 index_out) {
    (void)env, (void)handle, (void)symbol, (void)index_out;
    return 0;
}

/* libffi (ctypes) runs through JavaScript in Pyodide. driver.py refuses
 * `import _ctypes` with an ImportError; past that (a guest that removes the
 * refusal), closures cannot be made, preparing one fails (FFI_BAD_TYPEDEF),
 * and a foreign call ends the guest call. */
u32 Z_pyenvZ_ffi_closure_alloc_js(struct Z_pyenv_instance_t *env, u32 size, u32 code) {
    (void)env, (void)size, (void)code;
    return 0;
}
void Z_pyenvZ_ffi_closure_free_js(struct Z_pyenv_instance_t *env, u32 closure) { (void)env, (void)closure; }
u32 Z_pyenvZ_ffi_prep_closure_loc_js(struct Z_pyenv_instance_t *env, u32 closure, u32 cif, u32 fun, u32 user,
                                     u32 codeloc) {
    (void)env, (void)closure, (void)cif, (void)fun, (void)user, (void)codeloc;
    return 1;
}
void Z_pyenvZ_ffi_call_js(struct Z_pyenv_instance_t *env, u32 cif, u32 fn, u32 rvalue, u32 avalue) {
    (void)cif, (void)fn, (void)rvalue, (void)avalue;
    cpython_refuse_js(env, "ffi_call_js");
}
