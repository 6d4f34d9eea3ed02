/*
 * fz_source.c - arbitrary bytes as Python source.
 *
 * One sandbox runs every input with small fuel and time limits, so a
 * session accumulates whatever earlier inputs left behind (as a real
 * session would); it is recreated every 256 inputs to keep runs
 * reproducible enough, and whenever an execution trapped. Whatever the
 * source does, airlock_sandbox_exec must return one of its documented codes, the
 * sandbox must stay usable, and the host must not crash or leak.
 *
 * AIRLOCK_FUZZ_GUEST=cpython drives the CPython guest instead (fuel only
 * where the guest counts it; the timeout stops the rest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "airlock.h"

static airlock_runtime *rt;
static airlock_sandbox *sb;
static unsigned uses;

static void fresh_sandbox(void) {
    airlock_sandbox_free(sb);
    sb = NULL;
    if (airlock_sandbox_new(rt, &sb) != AIRLOCK_OK) {
        fprintf(stderr, "sandbox_new: %s\n", airlock_sandbox_errmsg(sb));
        abort();
    }
    uses = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    const char *guest = getenv("AIRLOCK_FUZZ_GUEST");
    airlock_limits lim = {.size = sizeof(airlock_limits), .memory_bytes = 64u << 20, .fuel = 5000000, .timeout_seconds = 1.0,
                          .max_output_bytes = 4096};
    if (airlock_runtime_new(&rt) != AIRLOCK_OK) abort();
    if (guest && *guest && airlock_runtime_set_guest(rt, guest) != AIRLOCK_OK) {
        fprintf(stderr, "AIRLOCK_FUZZ_GUEST=%s: no such guest in this library\n", guest);
        abort();
    }
    if (airlock_runtime_set_limits(rt, &lim) != AIRLOCK_OK) abort();
    if (airlock_sandbox_new(rt, &sb) != AIRLOCK_OK) { /* a guest that does not count fuel refuses the limit */
        airlock_sandbox_free(sb);
        sb = NULL;
        lim.fuel = 0;
        if (airlock_runtime_set_limits(rt, &lim) != AIRLOCK_OK) abort();
    }
    fresh_sandbox();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!rt) LLVMFuzzerInitialize(NULL, NULL);
    if (++uses > 256) fresh_sandbox();
    int rc = airlock_sandbox_exec(sb, (const char *)data, size);
    switch (rc) {
    case AIRLOCK_OK: case AIRLOCK_ERROR: case AIRLOCK_EXIT: case AIRLOCK_LIMIT:
        break;
    case AIRLOCK_TRAP:
        fresh_sandbox();
        break;
    default:
        fprintf(stderr, "airlock_sandbox_exec returned %d: %s\n", rc, airlock_sandbox_errmsg(sb));
        abort();
    }
    /* the getters must always answer something sane */
    size_t n = 0;
    const char *out = airlock_sandbox_stdout(sb, &n);
    if (!out || n > 4096 || strlen(out) > n) abort();
    return 0;
}
