/*
 * invoke.c - Emscripten's setjmp/longjmp protocol.
 *
 * The guest compiles setjmp as a call through invoke_<sig>(index, args...):
 * the host calls function `index` of the guest's table, and if, during that
 * call, the guest calls _emscripten_throw_longjmp(), the host unwinds back
 * to the innermost invoke, restores the guest's shadow stack pointer, calls
 * setThrew(1, 0) and returns 0; the guest then finds the jump it asked for.
 * MicroPython raises every Python exception this way, so this is the hot
 * path of the interpreter: GCC's __builtin_setjmp saves three words and no
 * signal mask, which is all a same-thread unwind needs.
 */
#include <pthread.h>

#include "runtime/vm.h"

typedef struct jump_frame {
    struct jump_frame *prev;
    void *buf[5]; /* __builtin_setjmp's buffer */
} jump_frame;

/* Signature ids of the table entries each invoke may call. */
enum { SIG_I, SIG_II, SIG_III, SIG_IIII, SIG_IIIII, SIG_IIIIII, SIG_V, SIG_VI, SIG_VII, SIG_VIII, SIG_VIIII, SIG_COUNT };
static uint32_t sig_ids[SIG_COUNT];
static pthread_once_t sig_once = PTHREAD_ONCE_INIT;

#define I32 WASM_RT_I32
static void register_sigs(void) {
    sig_ids[SIG_I] = wasm_rt_register_func_type(0, 1, I32);
    sig_ids[SIG_II] = wasm_rt_register_func_type(1, 1, I32, I32);
    sig_ids[SIG_III] = wasm_rt_register_func_type(2, 1, I32, I32, I32);
    sig_ids[SIG_IIII] = wasm_rt_register_func_type(3, 1, I32, I32, I32, I32);
    sig_ids[SIG_IIIII] = wasm_rt_register_func_type(4, 1, I32, I32, I32, I32, I32);
    sig_ids[SIG_IIIIII] = wasm_rt_register_func_type(5, 1, I32, I32, I32, I32, I32, I32);
    sig_ids[SIG_V] = wasm_rt_register_func_type(0, 0);
    sig_ids[SIG_VI] = wasm_rt_register_func_type(1, 0, I32);
    sig_ids[SIG_VII] = wasm_rt_register_func_type(2, 0, I32, I32);
    sig_ids[SIG_VIII] = wasm_rt_register_func_type(3, 0, I32, I32, I32);
    sig_ids[SIG_VIIII] = wasm_rt_register_func_type(4, 0, I32, I32, I32, I32);
}
#undef I32

void mp_invoke_init(void) { pthread_once(&sig_once, register_sigs); }

/* The table entry `index`, which must exist and have signature `sig`. */
static const wasm_rt_funcref_t *entry(airlock_vm *vm, uint32_t index, int sig) {
    const wasm_rt_funcref_table_t *t = &vm->inst.w2c___indirect_function_table;
    if (UNLIKELY(index >= t->size || !t->data[index].func || t->data[index].func_type != sig_ids[sig]))
        vm_trap(vm, VM_TRAP_BAD_CALL);
    return &t->data[index];
}

void Z_envZ__emscripten_throw_longjmp(struct Z_env_instance_t *env) {
    airlock_vm *vm = VM_OF(env);
    if (!vm->jumps) vm_trap(vm, VM_TRAP_BAD_JUMP);
    __builtin_longjmp(vm->jumps->buf, 1);
}

/*
 * One invoke: `sig` is the signature id, RET the return type (u32 or void),
 * FN the C type of the table entry. After a longjmp, control resumes after
 * the if with the guest's stack pointer still at the thrower's depth.
 */
#define INVOKE_BODY(sig, RET, FN, ...)                                         \
    airlock_vm *vm = VM_OF(env);                                               \
    const wasm_rt_funcref_t *fe = entry(vm, index, sig);                      \
    uint32_t sp = vm->inst.w2c_g0; /* the shadow stack pointer (global 0) */  \
    jump_frame frame;                                                          \
    frame.prev = vm->jumps;                                                    \
    if (__builtin_setjmp(frame.buf) == 0) {                                    \
        vm->jumps = &frame;                                                    \
        INVOKE_CALL_##RET(((FN)fe->func)(fe->module_instance, ##__VA_ARGS__)); \
    }                                                                          \
    vm->jumps = frame.prev;                                                    \
    vm->inst.w2c_g0 = sp;                                                      \
    Z_guestZ_setThrew(&vm->inst, 1, 0);                                       \
    INVOKE_FAIL_##RET

#define INVOKE_CALL_u32(call) \
    u32 r = call;             \
    vm->jumps = frame.prev;   \
    return r
#define INVOKE_CALL_void(call) \
    call;                      \
    vm->jumps = frame.prev;    \
    return
#define INVOKE_FAIL_u32 return 0
#define INVOKE_FAIL_void return

typedef u32 (*fn_i)(void *);
typedef u32 (*fn_ii)(void *, u32);
typedef u32 (*fn_iii)(void *, u32, u32);
typedef u32 (*fn_iiii)(void *, u32, u32, u32);
typedef u32 (*fn_iiiii)(void *, u32, u32, u32, u32);
typedef u32 (*fn_iiiiii)(void *, u32, u32, u32, u32, u32);
typedef void (*fn_v)(void *);
typedef void (*fn_vi)(void *, u32);
typedef void (*fn_vii)(void *, u32, u32);
typedef void (*fn_viii)(void *, u32, u32, u32);
typedef void (*fn_viiii)(void *, u32, u32, u32, u32);

u32 Z_envZ_invoke_i(struct Z_env_instance_t *env, u32 index) { INVOKE_BODY(SIG_I, u32, fn_i); }
u32 Z_envZ_invoke_ii(struct Z_env_instance_t *env, u32 index, u32 a) { INVOKE_BODY(SIG_II, u32, fn_ii, a); }
u32 Z_envZ_invoke_iii(struct Z_env_instance_t *env, u32 index, u32 a, u32 b) {
    INVOKE_BODY(SIG_III, u32, fn_iii, a, b);
}
u32 Z_envZ_invoke_iiii(struct Z_env_instance_t *env, u32 index, u32 a, u32 b, u32 c) {
    INVOKE_BODY(SIG_IIII, u32, fn_iiii, a, b, c);
}
u32 Z_envZ_invoke_iiiii(struct Z_env_instance_t *env, u32 index, u32 a, u32 b, u32 c, u32 d) {
    INVOKE_BODY(SIG_IIIII, u32, fn_iiiii, a, b, c, d);
}
u32 Z_envZ_invoke_iiiiii(struct Z_env_instance_t *env, u32 index, u32 a, u32 b, u32 c, u32 d, u32 e) {
    INVOKE_BODY(SIG_IIIIII, u32, fn_iiiiii, a, b, c, d, e);
}
void Z_envZ_invoke_v(struct Z_env_instance_t *env, u32 index) { INVOKE_BODY(SIG_V, void, fn_v); }
void Z_envZ_invoke_vi(struct Z_env_instance_t *env, u32 index, u32 a) { INVOKE_BODY(SIG_VI, void, fn_vi, a); }
void Z_envZ_invoke_vii(struct Z_env_instance_t *env, u32 index, u32 a, u32 b) {
    INVOKE_BODY(SIG_VII, void, fn_vii, a, b);
}
void Z_envZ_invoke_viii(struct Z_env_instance_t *env, u32 index, u32 a, u32 b, u32 c) {
    INVOKE_BODY(SIG_VIII, void, fn_viii, a, b, c);
}
void Z_envZ_invoke_viiii(struct Z_env_instance_t *env, u32 index, u32 a, u32 b, u32 c, u32 d) {
    INVOKE_BODY(SIG_VIIII, void, fn_viiii, a, b, c, d);
}
