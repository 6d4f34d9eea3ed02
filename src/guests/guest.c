/*
 * guest.c - the guests built into this library, and choosing one
 * (airlock_runtime_set_guest).
 */
#include <string.h>

#include "guests/guest.h"
#include "sandbox.h"

/* AIRLOCK_WITH_CPYTHON=1: the build compiled the CPython guest in
 * (guests/cpython/cpython.mk). */
#ifndef AIRLOCK_WITH_CPYTHON
#define AIRLOCK_WITH_CPYTHON 0
#endif
static const guest_ops *const guests[] = {
    &guest_micropython,
#if AIRLOCK_WITH_CPYTHON
    &guest_cpython,
#endif
    NULL,
};

const guest_ops *const *guest_all(void) { return guests; }

const guest_ops *guest_find(const char *name) {
    if (!name) return guests[0];
    for (const guest_ops *const *g = guests; *g; g++)
        if (strcmp((*g)->name, name) == 0) return *g;
    return NULL;
}

int airlock_runtime_set_guest(airlock_runtime *rt, const char *name) {
    if (!rt) return AIRLOCK_MISUSE;
    const guest_ops *g = name ? guest_find(name) : NULL;
    if (!g)
        return runtime_fail(rt, AIRLOCK_MISUSE, "unknown guest '%.64s': this library has %s", name ? name : "(null)",
                            AIRLOCK_WITH_CPYTHON ? "micropython and cpython" : "micropython only");
    if (rt->booted) return runtime_fail(rt, AIRLOCK_MISUSE, "the guest must be chosen before the first sandbox");
    rt->guest = g;
    return AIRLOCK_OK;
}

static int info_of(const guest_ops *g, airlock_guest_info *out) {
    if (!g || !out) return AIRLOCK_MISUSE;
    airlock_guest_info info = {
        .size = sizeof info, .name = g->name, .title = g->title, .version = g->version, .sha256 = g->sha256,
        .compat = g->compat, .host_functions = g->host_calls, .file_grants = g->grants, .sessions = g->save != NULL,
        .values = g->value != NULL,
    };
    return sized_copy_out(out, &info, sizeof info, sizeof info);
}

int airlock_runtime_guest_info(const airlock_runtime *rt, airlock_guest_info *out) {
    return info_of(rt ? rt->guest : guest_find(NULL), out);
}

int airlock_guest_info_of(const char *name, airlock_guest_info *out) { return info_of(guest_find(name), out); }

const char *airlock_sandbox_guest(const airlock_sandbox *sb) { return sb ? sb->rt->guest->name : NULL; }
