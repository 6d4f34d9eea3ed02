/*
 * dynlib.h - shared libraries that a command opens when it needs them,
 * instead of linking them.
 *
 * Every linked library is loaded, and its symbols bound, at each start of
 * every command: SQLite (the serve store, probe's host-side check), zstd
 * and hiredis (serve's store), libedit with libtinfo, libbsd and libmd
 * (the interactive prompt) made an `airlock -c` run spend about a third of
 * its process CPU in the dynamic loader. Each library's few functions are
 * reached through a table of pointers that its *_open() function fills
 * (once; false with a message if the library or a function is missing);
 * the library's header (lib_*.h) names them so calls read as usual.
 *
 *   #define FOO_FUNCTIONS(X) X(foo_new) X(foo_free)
 *   DYNLIB_DECLARE(foo_api, FOO_FUNCTIONS)       in the header, then
 *   #define foo_new (*foo_api.p_foo_new)          one per function
 *   DYNLIB_DEFINE(foo_api, FOO_FUNCTIONS, "libfoo.so.1", "libfoo1")   in dynlib.c
 */
#ifndef AIRLOCK_CLI_DYNLIB_H
#define AIRLOCK_CLI_DYNLIB_H

#include <stdbool.h>
#include <stddef.h>

#define DYNLIB_FIELD(f) __typeof__(f) *p_##f;
#define DYNLIB_DECLARE(api, LIST)                                                                  \
    extern struct api {                                                                            \
        LIST(DYNLIB_FIELD)                                                                         \
    } api;                                                                                         \
    bool api##_open(char *err, size_t errsize);

/* dlopen(soname); NULL with a message naming the Debian package that
 * ships it. */
void *dynlib_load(const char *soname, const char *package, char *err, size_t errsize);
/* *slot = the function name in handle; false with a message (and handle
 * closed) if it is missing. */
bool dynlib_symbol(void *handle, const char *soname, const char *name, void **slot, char *err, size_t errsize);

#define DYNLIB_RESOLVE(f)                                                                          \
    if (!dynlib_symbol(h, soname, #f, (void **)&table->p_##f, err, errsize)) return false;
#define DYNLIB_DEFINE(api, LIST, library, package)                                                 \
    struct api api;                                                                                \
    bool api##_open(char *err, size_t errsize) {                                                   \
        static bool resolved;                                                                      \
        const char *soname = library;                                                              \
        struct api *table = &api;                                                                  \
        if (resolved) return true;                                                                 \
        void *h = dynlib_load(soname, package, err, errsize);                                      \
        if (!h) return false;                                                                      \
        LIST(DYNLIB_RESOLVE)                                                                       \
        return resolved = true;                                                                    \
    }

#endif
