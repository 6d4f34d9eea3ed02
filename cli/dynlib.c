/*
 * dynlib.c - opening the libraries of dynlib.h; SQLite's table, which the
 * store and probe share (lib_sqlite.h).
 */
#include "dynlib.h"

#include <dlfcn.h>
#include <stdio.h>

#include "lib_sqlite.h"

void *dynlib_load(const char *soname, const char *package, char *err, size_t errsize) {
    /* the handle stays open for the life of the process: the table points into it */
    void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!h) snprintf(err, errsize, "cannot load %s (Debian package %s): %s", soname, package, dlerror());
    return h;
}

bool dynlib_symbol(void *handle, const char *soname, const char *name, void **slot, char *err, size_t errsize) {
    if ((*slot = dlsym(handle, name))) return true;
    snprintf(err, errsize, "%s: no %s", soname, name);
    dlclose(handle);
    return false;
}

/* Debian 12's libsqlite3-0, which tools/deps.sh installs with libsqlite3-dev */
DYNLIB_DEFINE(sqlite_api, SQLITE_FUNCTIONS, "libsqlite3.so.0", "libsqlite3-0")
