/*
 * mhd.c - opens libmicrohttpd for `airlock serve` (see mhd.h).
 */
#include "mhd.h"

#include <dlfcn.h>
#include <stdio.h>

struct mhd_api mhd_api;

bool mhd_open(char *err, size_t errsize) {
    static void *lib;
    if (lib) return true;
    void *h = dlopen(MHD_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!h) return snprintf(err, errsize, "cannot load %s: %s", MHD_LIBRARY, dlerror()), false;
#define MHD_API_LOAD(f)                                                                            \
    if (!(*(void **)&mhd_api.p_##f = dlsym(h, #f)))                                                \
        return snprintf(err, errsize, "%s: no %s", MHD_LIBRARY, #f), dlclose(h), false;
    MHD_API(MHD_API_LOAD)
#undef MHD_API_LOAD
    lib = h;
    return true;
}
