/*
 * js.c - the guest's "JavaScript" bridge, closed.
 *
 * MicroPython's WebAssembly port reaches its host through these imports:
 * `import js`, `jsffi`, `asyncio` (which imports js), `__import__('js')`,
 * exec'd strings and a replaced builtins.__import__ all end up asking the
 * host to look up, call or store something on a host object named by a
 * reference number. Under Node.js reference 0 is globalThis, which is why the
 * bridge hands out the whole host there. Here the host object table is
 * empty: every lookup answers "no such attribute" (the guest raises
 * AttributeError), every call and construction yields undefined, stores go
 * nowhere. Closing the bridge at these imports closes every path to it,
 * whatever name the guest reaches it by.
 *
 * One exception: host functions (plugins/). While the start-up snapshot is
 * built, the root answers one name with a host callable (reference
 * HOST_BRIDGE_REF); calling it with one str is a host call. Nothing else of
 * the bridge opens: other references, arities, attributes and stores stay
 * dead ends.
 *
 * And one for os.urandom: while the compatibility layer boots, the root
 * answers ENTROPY_NAME with a callable (ENTROPY_REF) that takes no argument
 * and returns 32 bits from the sandbox's random source, the one that seeds
 * `random` (clock.c: getrandom, or the seeded generator of
 * --deterministic). It reaches nothing else. Likewise JSON_NAME and
 * JSON_PLAIN_NAME, which take one str: json's strict scanner (json.c) and
 * json.dumps's type check (jsonplain.c).
 */
#include <string.h>

#include "guests/micropython/micropython.h"
#include "guests/micropython/slot.h"
#include "runtime/vm.h"

/* The host callable's reference (0 is globalThis and 1 is undefined in the
 * guest's numbering), and its name on the root, answered only while the
 * host modules are installed (plugins/boot.c sets vm->host_boot). */
#define HOST_BRIDGE_REF 2u
#define HOST_BRIDGE_NAME "_airlock_host_call"
#define ENTROPY_REF (HOST_BRIDGE_REF + 1)
#define ENTROPY_NAME "_airlock_entropy"
#define JSON_REF (HOST_BRIDGE_REF + 2)
#define JSON_NAME "_airlock_json"
#define JSON_PLAIN_REF (HOST_BRIDGE_REF + 3)
#define JSON_PLAIN_NAME "_airlock_json_plain"


static bool is_name(airlock_vm *vm, u32 name, const char *want) {
    size_t n = strlen(want);
    const void *p = vm_strlen(vm, name, 64) == (int64_t)n ? vm_ptr(vm, name, n) : NULL;
    return p && !memcmp(p, want, n);
}

/* The compatibility layer's callables, while boot hands them out. */
static bool compat_lookup(airlock_vm *vm, u32 name, u32 out) {
    if (!vm->compat_boot) return false;
    u32 ref = is_name(vm, name, ENTROPY_NAME)      ? ENTROPY_REF
              : is_name(vm, name, JSON_NAME)       ? JSON_REF
              : is_name(vm, name, JSON_PLAIN_NAME) ? JSON_PLAIN_REF
                                                   : 0;
    if (ref) mp_bridge_put(vm, out, SLOT_JS_OBJECT, ref, 0);
    return ref != 0;
}

static bool host_lookup(airlock_vm *vm, u32 name, u32 out) {
    if (!vm->host_boot || !is_name(vm, name, HOST_BRIDGE_NAME)) return false;
    mp_bridge_put(vm, out, SLOT_JS_OBJECT, HOST_BRIDGE_REF, 0);
    return true;
}

/* Answer `undefined` in the guest's 12-byte value slot at out. */
static void put_undefined(airlock_vm *vm, u32 out) { mp_bridge_put(vm, out, SLOT_JS_UNDEFINED, 0, 0); }

u32 Z_envZ_lookup_attr(struct Z_env_instance_t *env, u32 jsref, u32 name, u32 out) {
    if (jsref == 0 && compat_lookup(VM_OF(env), name, out)) return 1;
    if (jsref == 0 && host_lookup(VM_OF(env), name, out)) return 1;
    return 0; /* not found: the guest raises AttributeError */
}

u32 Z_envZ_has_attr(struct Z_env_instance_t *env, u32 jsref, u32 name) {
    (void)env, (void)jsref, (void)name;
    return 0;
}

void Z_envZ_store_attr(struct Z_env_instance_t *env, u32 jsref, u32 name, u32 value) {
    (void)env, (void)jsref, (void)name, (void)value;
}

void Z_envZ_call0(struct Z_env_instance_t *env, u32 f, u32 out) {
    if (f != ENTROPY_REF) {
        put_undefined(VM_OF(env), out);
        return;
    }
    double bits = (double)Z_envZ_mp_js_random_u32(env); /* exact: 32 bits */
    uint32_t w[2];
    memcpy(w, &bits, 8);
    mp_bridge_put(VM_OF(env), out, SLOT_JS_DOUBLE, w[0], w[1]);
}

u32 Z_envZ_call1(struct Z_env_instance_t *env, u32 f, u32 via_call, u32 a0, u32 out) {
    if (f == HOST_BRIDGE_REF && !via_call) mp_host_call(VM_OF(env), a0, out);
    else if (f == JSON_REF && !via_call) mp_json_bridge(VM_OF(env), a0, out);
    else if (f == JSON_PLAIN_REF && !via_call) mp_json_plain(VM_OF(env), a0, out);
    else put_undefined(VM_OF(env), out);
    return 0;
}

u32 Z_envZ_call2(struct Z_env_instance_t *env, u32 f, u32 via_call, u32 a0, u32 a1, u32 out) {
    (void)f, (void)via_call, (void)a0, (void)a1;
    put_undefined(VM_OF(env), out);
    return 0;
}

u32 Z_envZ_calln(struct Z_env_instance_t *env, u32 f, u32 via_call, u32 n, u32 args, u32 out) {
    (void)f, (void)via_call, (void)n, (void)args;
    put_undefined(VM_OF(env), out);
    return 0;
}

void Z_envZ_call0_kwarg(struct Z_env_instance_t *env, u32 f, u32 via_call, u32 n_kw, u32 keys, u32 values,
                        u32 out) {
    (void)f, (void)via_call, (void)n_kw, (void)keys, (void)values;
    put_undefined(VM_OF(env), out);
}

void Z_envZ_calln_kwarg(struct Z_env_instance_t *env, u32 f, u32 via_call, u32 n_args, u32 args, u32 n_kw, u32 keys,
                        u32 values, u32 out) {
    (void)f, (void)via_call, (void)n_args, (void)args, (void)n_kw, (void)keys, (void)values;
    put_undefined(VM_OF(env), out);
}

void Z_envZ_js_reflect_construct(struct Z_env_instance_t *env, u32 f, u32 n_args, u32 args, u32 out) {
    (void)f, (void)n_args, (void)args;
    put_undefined(VM_OF(env), out);
}

void Z_envZ_js_get_iter(struct Z_env_instance_t *env, u32 f, u32 out) {
    (void)f;
    put_undefined(VM_OF(env), out);
}

u32 Z_envZ_js_iter_next(struct Z_env_instance_t *env, u32 f, u32 out) {
    (void)env, (void)f, (void)out;
    return 0; /* exhausted */
}

void Z_envZ_js_subscr_load(struct Z_env_instance_t *env, u32 f, u32 index, u32 out) {
    (void)f, (void)index;
    put_undefined(VM_OF(env), out);
}

void Z_envZ_js_subscr_store(struct Z_env_instance_t *env, u32 f, u32 index, u32 value) {
    (void)env, (void)f, (void)index, (void)value;
}

void Z_envZ_proxy_js_free_obj(struct Z_env_instance_t *env, u32 jsref) { (void)env, (void)jsref; }

u32 Z_envZ_js_check_existing(struct Z_env_instance_t *env, u32 c_ref) {
    (void)env, (void)c_ref;
    return (u32)-1; /* no host object wraps this guest object */
}

void Z_envZ_js_get_error_info(struct Z_env_instance_t *env, u32 jsref, u32 out_name, u32 out_message) {
    (void)jsref;
    put_undefined(VM_OF(env), out_name);
    put_undefined(VM_OF(env), out_message);
}

void Z_envZ_js_get_proxy_js_ref_info(struct Z_env_instance_t *env, u32 out) {
    airlock_vm *vm = VM_OF(env);
    /* two static references (the root and undefined), both in use */
    if (!vm_store_u32(vm, out, 2) || !vm_store_u32(vm, out + 4, 2)) vm_trap(vm, WASM_RT_TRAP_OOB);
}

/* Promises and round trips through the host's value conversion: there is no
 * host side to resolve or convert anything, so these yield undefined. */
void Z_envZ_create_promise(struct Z_env_instance_t *env, u32 f, u32 out) {
    (void)f;
    put_undefined(VM_OF(env), out);
}

void Z_envZ_js_then_resolve(struct Z_env_instance_t *env, u32 ret, u32 resolve) {
    (void)env, (void)ret, (void)resolve;
}

void Z_envZ_js_then_reject(struct Z_env_instance_t *env, u32 ret, u32 reject) {
    (void)env, (void)ret, (void)reject;
}

void Z_envZ_js_then_continue(struct Z_env_instance_t *env, u32 jsref, u32 py_resume, u32 resolve, u32 reject,
                             u32 out) {
    (void)jsref, (void)py_resume, (void)resolve, (void)reject;
    put_undefined(VM_OF(env), out);
}

void Z_envZ_proxy_convert_mp_to_js_then_js_to_mp_obj_jsside(struct Z_env_instance_t *env, u32 out) {
    put_undefined(VM_OF(env), out);
}

void Z_envZ_proxy_convert_mp_to_js_then_js_to_js_then_js_to_mp_obj_jsside(struct Z_env_instance_t *env, u32 out) {
    put_undefined(VM_OF(env), out);
}
