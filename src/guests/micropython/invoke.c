/*
 * invoke.c - the end of a longjmp that found no setjmp.
 *
 * Emscripten compiles setjmp/longjmp for a JavaScript host: calls from a
 * function that called setjmp go through imports invoke_<sig>, and longjmp
 * is the import _emscripten_throw_longjmp, which unwinds to the innermost
 * invoke. The build-time patch (guests/patch/sjlj.c) does all of that inside
 * the guest: the invokes are guest functions, and a longjmp unwinds by
 * returning. It calls this import only when an unwinding reaches one of
 * the guest's exports, that is, when no setjmp inside the guest call was
 * waiting for it: the guest call ends with a trap.
 */
#include "runtime/vm.h"

void Z_envZ__emscripten_throw_longjmp(struct Z_env_instance_t *env) { vm_trap(VM_OF(env), VM_TRAP_BAD_JUMP); }
