/*
 * Test-only host for the real patched guest (tests/patch/run.sh): just enough
 * of the Emscripten imports to initialise MicroPython and run code, against
 * the reference wasm2c runtime.  NOT the airlock runtime: no sandboxing, no
 * real GC (airlock.gc_collect only re-sets the pending flag, i.e. the
 * unpatched behaviour), no filesystem, no JS bridge.
 *
 *   guest_harness uctypes        import uctypes must raise ImportError
 *   guest_harness fib N REPEAT   time fib(N), best of REPEAT; print fuel used
 *   guest_harness gcalloc N M    M 2-block allocations after a collection
 *                                left N/2 1-block holes; print their fuel
 *   guest_harness budget UNITS   `while True: pass` with a fuel budget: the
 *                                host raises KeyboardInterrupt through the
 *                                LAYOUT.h addresses (soft stop)
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wasm-rt-impl.h"
#include "mp.h"
#include "layout.h"

struct Z_airlock_instance_t { int unused; };
struct Z_env_instance_t { int unused; };
struct Z_wasi_snapshot_preview1_instance_t { int unused; };

static Z_mp_instance_t inst;
static struct Z_airlock_instance_t airlock;
static struct Z_env_instance_t env;
static struct Z_wasi_snapshot_preview1_instance_t wasi;

/* ---- fuel: slices of SLICE units; an optional total budget ---- */
#define SLICE 10000000
static int64_t fuel_given;       /* units handed out so far */
static int64_t budget = -1;      /* -1: unlimited */
static int soft_stopped;
static long gc_calls;

static int64_t *fuel(void) { return (int64_t *)Z_mpZ_airlock_fuel(&inst); }
static int64_t fuel_used(void) { return fuel_given - *fuel(); }
static uint8_t *mem(void) { return Z_mpZ_memory(&inst)->data; }

static void refill(int64_t units)
{
    *fuel() += units;
    fuel_given += units;
}

/* Soft stop exactly like mp_sched_keyboard_interrupt, through LAYOUT.h. */
static void raise_keyboard_interrupt(void)
{
    uint8_t *m = mem();
    uint32_t exc = AIRLOCK_MP_KBD_EXCEPTION_ADDR;
    memcpy(m + AIRLOCK_MP_PENDING_EXCEPTION_ADDR, &exc, 4);
    memset(m + AIRLOCK_MP_KBD_EXCEPTION_ADDR + 8, 0, 4); /* no traceback yet */
    uint16_t state;
    memcpy(&state, m + AIRLOCK_MP_SCHED_STATE_ADDR, 2);
    if (state == 1) { /* idle -> pending */
        state = 0;
        memcpy(m + AIRLOCK_MP_SCHED_STATE_ADDR, &state, 2);
    }
}

void Z_airlockZ_fuel_exhausted(struct Z_airlock_instance_t *a)
{
    (void)a;
    if (budget >= 0 && fuel_used() >= budget) {
        if (soft_stopped)
            wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION); /* hard stop */
        soft_stopped = 1;
        raise_keyboard_interrupt();
        refill(1000000); /* grace to unwind */
        return;
    }
    refill(SLICE);
}

void Z_airlockZ_gc_collect(struct Z_airlock_instance_t *a)
{
    (void)a;
    gc_calls++;
    mem()[AIRLOCK_GC_PENDING_ADDR] = 1; /* the unpatched behaviour */
}

/* The host's qstr index is airlock's (src/runtime/qstr.c); this harness
 * always declines, so the guest's own search runs. */
uint32_t Z_airlockZ_qstr_find(struct Z_airlock_instance_t *a, uint32_t str, uint32_t len)
{
    (void)a, (void)str, (void)len;
    return 0xffffffffu;
}

/* Substring search and count (src/guests/micropython/search.c): declined
 * here too, so the guest's own loops run. */
uint32_t Z_airlockZ_find_subbytes(struct Z_airlock_instance_t *a, uint32_t hay, uint32_t hlen, uint32_t needle,
                                  uint32_t nlen, uint32_t direction)
{
    (void)a, (void)hay, (void)hlen, (void)needle, (void)nlen, (void)direction;
    return 0xffffffffu;
}

uint32_t Z_airlockZ_count_subbytes(struct Z_airlock_instance_t *a, uint32_t at, uint32_t end, uint32_t needle,
                                   uint32_t nlen)
{
    (void)a, (void)at, (void)end, (void)needle, (void)nlen;
    return 0xffffffffu;
}

/* ---- setjmp/longjmp: done inside the guest (guests/patch/sjlj.c); the
 * import is reached only by a longjmp that found no setjmp ---- */
void Z_envZ__emscripten_throw_longjmp(struct Z_env_instance_t *e)
{
    (void)e;
    wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE);
}

/* ---- the rest of the host interface ---- */
void Z_envZ__abort_js(struct Z_env_instance_t *e) { (void)e; wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE); }

u32 Z_envZ_emscripten_resize_heap(struct Z_env_instance_t *e, u32 want)
{
    (void)e;
    wasm_rt_memory_t *m = Z_mpZ_memory(&inst);
    uint64_t pages = ((uint64_t)want + 65535) / 65536;
    if (pages <= m->pages)
        return 1;
    return wasm_rt_grow_memory(m, (uint32_t)(pages - m->pages)) != (uint32_t)-1;
}

u32 Z_envZ_mp_js_ticks_ms(struct Z_env_instance_t *e)
{
    (void)e;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (u32)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
f64 Z_envZ_mp_js_time_ms(struct Z_env_instance_t *e)
{
    (void)e;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (f64)ts.tv_sec * 1000.0 + (f64)ts.tv_nsec / 1e6;
}
u32 Z_envZ_mp_js_random_u32(struct Z_env_instance_t *e) { (void)e; return 4; }

u32 Z_wasi_snapshot_preview1Z_fd_write(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd,
                                       u32 iovs, u32 n, u32 nwritten)
{
    (void)w;
    uint8_t *m = mem();
    uint32_t total = 0;
    for (u32 i = 0; i < n; i++) {
        uint32_t p, l;
        memcpy(&p, m + iovs + 8 * i, 4);
        memcpy(&l, m + iovs + 8 * i + 4, 4);
        fwrite(m + p, 1, l, fd == 2 ? stderr : stdout);
        total += l;
    }
    memcpy(m + nwritten, &total, 4);
    return 0;
}
u32 Z_wasi_snapshot_preview1Z_fd_read(struct Z_wasi_snapshot_preview1_instance_t *w, u32 a, u32 b, u32 c, u32 nread)
{
    (void)w; (void)a; (void)b; (void)c;
    memset(mem() + nread, 0, 4);
    return 0;
}
u32 Z_wasi_snapshot_preview1Z_fd_close(struct Z_wasi_snapshot_preview1_instance_t *w, u32 a) { (void)w; (void)a; return 8; }
u32 Z_wasi_snapshot_preview1Z_fd_sync(struct Z_wasi_snapshot_preview1_instance_t *w, u32 a) { (void)w; (void)a; return 8; }
u32 Z_wasi_snapshot_preview1Z_fd_seek(struct Z_wasi_snapshot_preview1_instance_t *w, u32 a, u64 b, u32 c, u32 d) { (void)w; (void)a; (void)b; (void)c; (void)d; return 8; }

#define U __attribute__((unused)) u32
/* Everything else: no filesystem, no JS.  Syscalls fail with -ENOSYS (52). */
#define NOSYS(name, ...) u32 Z_envZ_##name(struct Z_env_instance_t *e, __VA_ARGS__) { (void)e; return (u32)-52; }
NOSYS(__syscall_chdir, U a)
NOSYS(__syscall_fstat64, U a, U b)
NOSYS(__syscall_getcwd, U a, U b)
NOSYS(__syscall_getdents64, U a, U b, U c)
NOSYS(__syscall_lstat64, U a, U b)
NOSYS(__syscall_mkdirat, U a, U b, U c)
NOSYS(__syscall_newfstatat, U a, U b, U c, U d)
NOSYS(__syscall_openat, U a, U b, U c, U d)
NOSYS(__syscall_poll, U a, U b, U c)
NOSYS(__syscall_renameat, U a, U b, U c, U d)
NOSYS(__syscall_rmdir, U a)
NOSYS(__syscall_stat64, U a, U b)
NOSYS(__syscall_statfs64, U a, U b, U c)
NOSYS(__syscall_unlinkat, U a, U b, U c)
#define NOJS(ret, name, ...) ret Z_envZ_##name(struct Z_env_instance_t *e, __VA_ARGS__) { (void)e; wasm_rt_trap(WASM_RT_TRAP_UNREACHABLE); }
NOJS(void, call0, U a, U b)
NOJS(void, call0_kwarg, U a, U b, U c, U d, U f, U g)
NOJS(u32, call1, U a, U b, U c, U d)
NOJS(u32, call2, U a, U b, U c, U d, U f)
NOJS(u32, calln, U a, U b, U c, U d, U f)
NOJS(void, calln_kwarg, U a, U b, U c, U d, U f, U g, U h, U i)
NOJS(void, create_promise, U a, U b)
NOJS(u32, has_attr, U a, U b)
NOJS(u32, js_check_existing, U a)
NOJS(void, js_get_error_info, U a, U b, U c)
NOJS(void, js_get_iter, U a, U b)
NOJS(void, js_get_proxy_js_ref_info, U a)
NOJS(u32, js_iter_next, U a, U b)
NOJS(void, js_reflect_construct, U a, U b, U c, U d)
NOJS(void, js_subscr_load, U a, U b, U c)
NOJS(void, js_subscr_store, U a, U b, U c)
NOJS(void, js_then_continue, U a, U b, U c, U d, U f)
NOJS(void, js_then_reject, U a, U b)
NOJS(void, js_then_resolve, U a, U b)
NOJS(u32, lookup_attr, U a, U b, U c)
NOJS(void, proxy_convert_mp_to_js_then_js_to_js_then_js_to_mp_obj_jsside, U a)
NOJS(void, proxy_convert_mp_to_js_then_js_to_mp_obj_jsside, U a)
NOJS(void, proxy_js_free_obj, U a)
NOJS(void, store_attr, U a, U b, U c)

/* ---- driver ---- */

/* Runs src; returns the result kind; copies an exception's text to err. */
static int32_t exec(const char *src, char *err, size_t errlen)
{
    size_t n = strlen(src);
    uint32_t p = Z_mpZ_malloc(&inst, (u32)n + 1), out = Z_mpZ_malloc(&inst, 16);
    memcpy(mem() + p, src, n + 1);
    Z_mpZ_mp_js_do_exec(&inst, p, (u32)n, out);
    int32_t kind, a, b;
    memcpy(&kind, mem() + out, 4);
    memcpy(&a, mem() + out + 4, 4);
    memcpy(&b, mem() + out + 8, 4);
    if (err && errlen) {
        err[0] = 0;
        if (kind == -1) {
            size_t l = (size_t)a < errlen - 1 ? (size_t)a : errlen - 1;
            memcpy(err, mem() + b, l);
            err[l] = 0;
            for (size_t i = 0; i < l; i++)
                if (err[i] == 4)
                    err[i] = ' ';
        }
    }
    Z_mpZ_free(&inst, p);
    Z_mpZ_free(&inst, out);
    return kind;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    wasm_rt_init();
    Z_mp_init_module();
    Z_mp_instantiate(&inst, &airlock, &env, &wasi);
    refill(SLICE);
    wasm_rt_trap_t trap = wasm_rt_impl_try();
    if (trap != WASM_RT_TRAP_NONE) {
        printf("trap: %s\n", wasm_rt_strerror(trap));
        return strcmp(argv[1], "budget") == 0 && soft_stopped ? 0 : 1;
    }
    Z_mpZ_emscripten_stack_init(&inst);
    Z_mpZ___wasm_call_ctors(&inst);
    Z_mpZ_mp_js_init(&inst, 2048, 1 << 20);
    Z_mpZ_proxy_c_init(&inst);
    char err[4096];

    if (strcmp(argv[1], "uctypes") == 0) {
        int bad = 0;
        const char *cases[] = {"import uctypes", "import ctypes", "__import__('uctypes')"};
        for (int i = 0; i < 3; i++) {
            int32_t k = exec(cases[i], err, sizeof err);
            int ok = k == -1 && strstr(err, "ImportError");
            printf("%-24s -> %s\n", cases[i], ok ? "ImportError" : "NOT BLOCKED");
            bad |= !ok;
        }
        int32_t k = exec("import struct, json, math, micropython, gc, sys\n"
                         "print(sum(range(10)), json.dumps([1]), 'uctypes' in sys.modules)", err, sizeof err);
        bad |= k == -1;
        if (k == -1)
            printf("other imports failed: %s\n", err);
        return bad;
    }
    if (strcmp(argv[1], "fib") == 0 && argc >= 4) {
        char src[256];
        snprintf(src, sizeof src, "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n"
                                  "r = fib(%d)\n", atoi(argv[2]));
        double best = 1e9;
        int64_t used = 0;
        for (int i = 0; i < atoi(argv[3]); i++) {
            int64_t f0 = fuel_used();
            double t0 = now();
            if (exec(src, err, sizeof err) == -1) {
                printf("fib failed: %s\n", err);
                return 1;
            }
            double t = now() - t0;
            used = fuel_used() - f0;
            if (t < best)
                best = t;
        }
        exec("print('fib result', r)", NULL, 0);
        printf("fib(%s): best %.1f ms, fuel %lld units, gc hook calls %ld\n", argv[2], best * 1e3,
               (long long)used, gc_calls);
        return 0;
    }
    if (strcmp(argv[1], "gcalloc") == 0 && argc >= 4) {
        /* Leaves 1-block holes all over the heap (every other 1-tuple of N
         * dropped, then a collection: the call wrapper runs it, since
         * gc_collect only sets the pending flag here), then measures the
         * fuel of M 2-block tuples and checks every object. */
        char src[512];
        snprintf(src, sizeof src, "import gc\na = [(i,) for i in range(%d)]\na = a[1::2]\ngc.collect()\n",
                 atoi(argv[2]));
        if (exec(src, err, sizeof err) == -1) {
            printf("gcalloc set-up failed: %s\n", err);
            return 1;
        }
        snprintf(src, sizeof src, "r = [(i, i, i, i, -i) for i in range(%d)]\n", atoi(argv[3]));
        int64_t f0 = fuel_used();
        if (exec(src, err, sizeof err) == -1) {
            printf("gcalloc failed: %s\n", err);
            return 1;
        }
        int64_t used = fuel_used() - f0;
        int32_t k = exec("assert all(t == (i, i, i, i, -i) for i, t in enumerate(r))\n"
                         "assert all(t == (2 * j + 1,) for j, t in enumerate(a))\n", err, sizeof err);
        if (k == -1) {
            printf("gcalloc: objects damaged: %s\n", err);
            return 1;
        }
        printf("gcalloc %s holes, %s allocations: fuel %lld\n", argv[2], argv[3], (long long)used);
        return 0;
    }
    if (strcmp(argv[1], "budget") == 0 && argc >= 3) {
        budget = fuel_used() + atoll(argv[2]);
        double t0 = now();
        int32_t k = exec("n = 0\nwhile True:\n    n += 1\n", err, sizeof err);
        printf("budget %s: kind %d after %.1f ms, fuel used %lld: %.60s\n", argv[2], k,
               (now() - t0) * 1e3, (long long)fuel_used(), err);
        int stopped = k == -1 && strstr(err, "KeyboardInterrupt") != NULL;
        budget = -1;
        int32_t k2 = exec("print('alive, n =', n)", err, sizeof err);
        return !(stopped && k2 != -1);
    }
    return 2;
}
