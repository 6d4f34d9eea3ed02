/*
 * sqlite_vfs.c - where a granted connection's temporary files go: into
 * capped host memory, never onto the disk.
 *
 * SQLite writes temporary files (no name: sorter spills of a big ORDER BY,
 * GROUP BY or DISTINCT, materialized subqueries, statement journals) into
 * /var/tmp or /tmp, beside no grant at all; a read-only grant wrote 1 GB
 * there in 5 s. Each connection is opened through a VFS of its own that
 * passes the named files (the granted database, its journal and WAL) to the
 * default VFS and keeps every unnamed one in memory, at most SQ_TEMP_BYTES
 * for all the files of all the sandbox's connections (their shared
 * sq_budget): past that a write fails with SQLITE_FULL, which the guest
 * sees as OperationalError. Counted here, because SQLite's heap limits are
 * for the whole process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/sqlite_int.h"

struct sq_tempvfs {
    sqlite3_vfs vfs;   /* registered under name; pAppData is this */
    sqlite3_vfs *real; /* the default VFS: the database, journal, WAL */
    char name[48];
    sq_budget *budget; /* where the bytes of the temporary files are counted */
};

typedef struct {
    sqlite3_file base;
    sq_tempvfs *owner;
    unsigned char *data;
    size_t size, alloc;
} mem_file;

/* ---- a temporary file in memory ---------------------------------------------------- */

static int mem_close(sqlite3_file *f) {
    mem_file *m = (mem_file *)f;
    m->owner->budget->temp_bytes -= m->alloc;
    free(m->data);
    m->data = NULL;
    m->size = m->alloc = 0;
    return SQLITE_OK;
}

static int mem_read(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off) {
    mem_file *m = (mem_file *)f;
    size_t have = (size_t)off < m->size ? m->size - (size_t)off : 0;
    size_t n = have < (size_t)amt ? have : (size_t)amt;
    if (n) memcpy(buf, m->data + off, n);
    if (n == (size_t)amt) return SQLITE_OK;
    memset((char *)buf + n, 0, (size_t)amt - n); /* SQLite wants the rest zeroed */
    return SQLITE_IOERR_SHORT_READ;
}

/* Room for need bytes, charged to the connection: false past the cap. */
static bool mem_reserve(mem_file *m, size_t need) {
    if (need <= m->alloc) return true;
    sq_budget *b = m->owner->budget;
    size_t want = m->alloc * 2 > need ? m->alloc * 2 : need;
    if (b->temp_bytes - m->alloc + want > SQ_TEMP_BYTES) want = need;
    if (b->temp_bytes - m->alloc + want > SQ_TEMP_BYTES) return false;
    unsigned char *grown = realloc(m->data, want);
    if (!grown) return false;
    b->temp_bytes += want - m->alloc;
    m->data = grown;
    m->alloc = want;
    return true;
}

static int mem_write(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off) {
    mem_file *m = (mem_file *)f;
    size_t end = (size_t)off + (size_t)amt;
    if (!mem_reserve(m, end)) {
        m->owner->budget->refused = true;
        return SQLITE_FULL;
    }
    if ((size_t)off > m->size) memset(m->data + m->size, 0, (size_t)off - m->size);
    memcpy(m->data + off, buf, (size_t)amt);
    if (end > m->size) m->size = end;
    return SQLITE_OK;
}

static int mem_truncate(sqlite3_file *f, sqlite3_int64 size) {
    mem_file *m = (mem_file *)f;
    if ((size_t)size < m->size) m->size = (size_t)size;
    return SQLITE_OK;
}

static int mem_sync(sqlite3_file *f, int flags) {
    (void)f;
    (void)flags;
    return SQLITE_OK;
}

static int mem_size(sqlite3_file *f, sqlite3_int64 *size) {
    *size = (sqlite3_int64)((mem_file *)f)->size;
    return SQLITE_OK;
}

static int mem_lock(sqlite3_file *f, int level) {
    (void)f;
    (void)level;
    return SQLITE_OK;
}

static int mem_reserved(sqlite3_file *f, int *out) {
    (void)f;
    *out = 0;
    return SQLITE_OK;
}

static int mem_control(sqlite3_file *f, int op, void *arg) {
    (void)f;
    (void)op;
    (void)arg;
    return SQLITE_NOTFOUND;
}

static int mem_sector(sqlite3_file *f) {
    (void)f;
    return 4096;
}

static int mem_caps(sqlite3_file *f) {
    (void)f;
    return 0;
}

static const sqlite3_io_methods mem_methods = {
    1, mem_close, mem_read, mem_write, mem_truncate, mem_sync, mem_size, mem_lock, mem_lock, mem_reserved,
    mem_control, mem_sector, mem_caps, NULL, NULL, NULL, NULL, NULL, NULL,
};

/* ---- the VFS ------------------------------------------------------------------------ */

#define TEMP_FLAGS (SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL | SQLITE_OPEN_TRANSIENT_DB | SQLITE_OPEN_SUBJOURNAL)

static sqlite3_vfs *real_of(sqlite3_vfs *vfs) { return ((sq_tempvfs *)vfs->pAppData)->real; }

static int vfs_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags) {
    sq_tempvfs *t = vfs->pAppData;
    if (name && !(flags & TEMP_FLAGS)) return t->real->xOpen(t->real, name, f, flags, out_flags);
    mem_file *m = (mem_file *)f;
    memset(m, 0, sizeof *m);
    m->base.pMethods = &mem_methods;
    m->owner = t;
    if (out_flags) *out_flags = flags;
    return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *vfs, const char *name, int sync) {
    return real_of(vfs)->xDelete(real_of(vfs), name, sync);
}

static int vfs_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
    return real_of(vfs)->xAccess(real_of(vfs), name, flags, out);
}

static int vfs_full_path(sqlite3_vfs *vfs, const char *name, int n, char *out) {
    return real_of(vfs)->xFullPathname(real_of(vfs), name, n, out);
}

/* Extensions are off on every connection; the VFS refuses them too. */
static void *vfs_dlopen(sqlite3_vfs *vfs, const char *name) {
    (void)vfs;
    (void)name;
    return NULL;
}

static void vfs_dlerror(sqlite3_vfs *vfs, int n, char *msg) {
    (void)vfs;
    snprintf(msg, (size_t)n, "extensions cannot be loaded in the sandbox");
}

static int vfs_random(sqlite3_vfs *vfs, int n, char *out) { return real_of(vfs)->xRandomness(real_of(vfs), n, out); }
static int vfs_sleep(sqlite3_vfs *vfs, int us) { return real_of(vfs)->xSleep(real_of(vfs), us); }
static int vfs_time(sqlite3_vfs *vfs, double *t) { return real_of(vfs)->xCurrentTime(real_of(vfs), t); }

static int vfs_last_error(sqlite3_vfs *vfs, int n, char *msg) {
    return real_of(vfs)->xGetLastError(real_of(vfs), n, msg);
}

static int vfs_time64(sqlite3_vfs *vfs, sqlite3_int64 *t) {
    sqlite3_vfs *real = real_of(vfs);
    if (real->iVersion >= 2 && real->xCurrentTimeInt64) return real->xCurrentTimeInt64(real, t);
    double d;
    int rc = real->xCurrentTime(real, &d);
    *t = (sqlite3_int64)(d * 86400000.0);
    return rc;
}

sq_tempvfs *sq_tempvfs_new(sq_budget *budget) {
    sqlite3_vfs *real = SQ.vfs_find(NULL);
    sq_tempvfs *t = real ? calloc(1, sizeof *t) : NULL;
    if (!t) return NULL;
    t->real = real;
    t->budget = budget;
    snprintf(t->name, sizeof t->name, "airlock-temp-%p", (void *)t);
    int size = real->szOsFile > (int)sizeof(mem_file) ? real->szOsFile : (int)sizeof(mem_file);
    t->vfs = (sqlite3_vfs){
        2, size, real->mxPathname, NULL, t->name, t, vfs_open, vfs_delete, vfs_access, vfs_full_path, vfs_dlopen,
        vfs_dlerror, NULL, NULL, vfs_random, vfs_sleep, vfs_time, vfs_last_error, vfs_time64, NULL, NULL, NULL,
    };
    if (SQ.vfs_register(&t->vfs, 0) != SQLITE_OK) {
        free(t);
        return NULL;
    }
    return t;
}

const char *sq_tempvfs_name(const sq_tempvfs *t) { return t->name; }

bool sq_budget_refused(sq_budget *b) {
    bool was = b->refused;
    b->refused = false;
    return was;
}

void sq_tempvfs_free(sq_tempvfs *t) {
    if (!t) return;
    SQ.vfs_unregister(&t->vfs);
    free(t);
}
