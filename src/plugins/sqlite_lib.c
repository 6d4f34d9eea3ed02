/*
 * sqlite_lib.c - Debian's libsqlite3, loaded by the first SQLite grant and
 * kept out of the host's way.
 *
 * libairlock does not link libsqlite3: a process that never grants a
 * database never loads it, and libairlock.so imports no sqlite3_* symbol
 * that could bind to (or be bound by) a host's own SQLite. The grant needs
 * a process-wide setting, SQLite's allocator (sqlite_mem.c: every byte is
 * charged to the sandbox whose call made it, and refused once that call
 * must stop), which may be set only before SQLite initialises and which
 * would otherwise apply to the host's SQLite too. So the library is loaded
 * with dlmopen into a link-map namespace of its own: a private copy with
 * its own settings, whatever the host does with the copy it links.
 *
 * Where dlmopen fails (no namespace left: glibc has 16; a loader without
 * it), the process's shared copy is used, and the allocator is set on it
 * only if SQLite is not initialised yet; it then serves the host's SQLite
 * too, unchanged outside sandbox calls. If the host initialised SQLite
 * first, the grant is refused: without the allocator a sandbox's
 * statement could not be stopped or its memory counted.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "plugins/sqlite_int.h"

#define SQ_LIBRARY "libsqlite3.so.0"

sq_api SQ;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[300];
static bool shared_copy;

static bool resolve(void *dl) {
#define SQ_RESOLVE(name)                                                                                          \
    if (!(*(void **)&SQ.name = dlsym(dl, "sqlite3_" #name))) {                                                    \
        snprintf(load_error, sizeof load_error, SQ_LIBRARY " lacks sqlite3_" #name " (SQLite 3.37 or later)");     \
        return false;                                                                                             \
    }
    SQ_FUNCTIONS(SQ_RESOLVE)
#undef SQ_RESOLVE
    return true;
}

static void load(void) {
    void *dl = dlmopen(LM_ID_NEWLM, SQ_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        shared_copy = true;
        dl = dlopen(SQ_LIBRARY, RTLD_NOW | RTLD_LOCAL);
    }
    if (!dl) {
        snprintf(load_error, sizeof load_error, "SQLite grants need " SQ_LIBRARY " (Debian package libsqlite3-0): %s",
                 dlerror());
        return;
    }
    /* the handle stays open for the life of the process: connections use it */
    if (!resolve(dl)) return;
    if (!sq_mem_install()) {
        snprintf(load_error, sizeof load_error,
                 "SQLite grants need their own SQLite allocator, and the host process initialised its SQLite before "
                 "the first grant (no private copy of " SQ_LIBRARY " could be loaded)");
        return;
    }
    /* In a private copy our accounting replaces SQLite's statistics (a
     * global mutex per allocation); a shared copy keeps them for the host. */
    if (!shared_copy) SQ.config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (SQ.initialize() != SQLITE_OK) snprintf(load_error, sizeof load_error, "SQLite failed to initialise");
}

const char *sq_lib_load(void) {
    pthread_once(&load_once, load);
    return load_error[0] ? load_error : NULL;
}

bool sq_lib_shared(void) { return shared_copy; }
