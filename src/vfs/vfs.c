/*
 * vfs.c - path resolution, mounts and the file descriptor table (vfs.h).
 */
#include "vfs/vfs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MOUNTS 32
#define FIRST_FD 3 /* 0, 1 and 2 are the guest's stdio (abi/wasi.c) */

typedef struct mount {
    char *path;                 /* absolute, normalised; "/" for the root */
    size_t len;
    const vfs_backend_ops *ops;
    void *self;
    bool audited;               /* a grant (not the embedded library) */
} mount;

typedef struct open_file {
    vfs_file *file;
    uint64_t offset;            /* byte offset, or entry index for directories */
    int flags;
    bool is_dir;
} open_file;

struct vfs {
    mount mounts[MAX_MOUNTS];
    int n_mounts;
    char cwd[VFS_PATH_MAX];
    open_file fds[VFS_MAX_FDS];
    /* The descriptors and cwd when the execution in progress began
     * (vfs_begin). Files open then are not closed before it ends, so a
     * rollback can put the table back as it was. */
    bool in_exec;
    open_file saved_fds[VFS_MAX_FDS];
    char saved_cwd[VFS_PATH_MAX];
    vfs_audit_fn audit;
    void *audit_ctx;
};

vfs *vfs_new(void) {
    vfs *v = calloc(1, sizeof *v);
    if (v) strcpy(v->cwd, "/");
    return v;
}

static void close_all(vfs *v) {
    for (int i = 0; i < VFS_MAX_FDS; i++)
        if (v->fds[i].file) {
            v->fds[i].file->ops->close(v->fds[i].file);
            v->fds[i].file = NULL;
        }
}

void vfs_free(vfs *v) {
    if (!v) return;
    if (v->in_exec) vfs_commit(v);
    close_all(v);
    for (int i = 0; i < v->n_mounts; i++) {
        v->mounts[i].ops->release(v->mounts[i].self);
        free(v->mounts[i].path);
    }
    free(v);
}

vfs *vfs_clone(const vfs *v) {
    vfs *c = vfs_new();
    if (!c) return NULL;
    memcpy(c->cwd, v->cwd, sizeof c->cwd);
    for (int i = 0; i < v->n_mounts; i++) {
        const mount *m = &v->mounts[i];
        void *self = m->ops->clone(m->self);
        char *path = strdup(m->path);
        if (!self || !path) {
            if (self) m->ops->release(self);
            free(path);
            vfs_free(c);
            return NULL;
        }
        c->mounts[c->n_mounts++] = (mount){path, m->len, m->ops, self, m->audited};
    }
    return c;
}

int vfs_normalize(const char *cwd, const char *path, char out[VFS_PATH_MAX]) {
    if (!*path) return -VFS_ENOENT;
    size_t n = 0;
    out[n++] = '/';
    const char *parts[2] = {path[0] == '/' ? "" : cwd, path};
    for (int p = 0; p < 2; p++) {
        const char *s = parts[p];
        while (*s) {
            while (*s == '/') s++;
            const char *end = s;
            while (*end && *end != '/') end++;
            size_t len = (size_t)(end - s);
            if (len > VFS_NAME_MAX) return -VFS_ENAMETOOLONG;
            if (len == 0 || (len == 1 && s[0] == '.')) {
                /* nothing */
            } else if (len == 2 && s[0] == '.' && s[1] == '.') {
                while (n > 1 && out[n - 1] != '/') n--;
                if (n > 1) n--;
            } else {
                if (n + len + 2 > VFS_PATH_MAX) return -VFS_ENAMETOOLONG;
                if (n > 1) out[n++] = '/';
                memcpy(out + n, s, len);
                n += len;
            }
            s = end;
        }
    }
    out[n] = '\0';
    return 0;
}

static int mount_at(vfs *v, const char *guest_path, const vfs_backend_ops *ops, void *self, bool audited) {
    char norm[VFS_PATH_MAX];
    int rc = guest_path[0] == '/' ? vfs_normalize("/", guest_path, norm) : -VFS_EINVAL;
    if (rc == 0 && v->n_mounts == MAX_MOUNTS) rc = -VFS_ENOSPC;
    for (int i = 0; rc == 0 && i < v->n_mounts; i++)
        if (strcmp(v->mounts[i].path, norm) == 0) rc = -VFS_EEXIST;
    char *copy = rc == 0 ? strdup(norm) : NULL;
    if (rc == 0 && !copy) rc = -VFS_ENOMEM;
    if (rc != 0) {
        ops->release(self);
        return rc;
    }
    v->mounts[v->n_mounts++] = (mount){copy, strlen(copy), ops, self, audited};
    return 0;
}

int vfs_mount(vfs *v, const char *guest_path, const vfs_backend_ops *ops, void *self) {
    return mount_at(v, guest_path, ops, self, ops != &vfs_embedded_ops);
}

int vfs_mount_internal(vfs *v, const char *guest_path, const vfs_backend_ops *ops, void *self) {
    return mount_at(v, guest_path, ops, self, false);
}

int vfs_unmount(vfs *v, const char *guest_path) {
    for (int i = 0; i < v->n_mounts; i++) {
        if (strcmp(v->mounts[i].path, guest_path) != 0) continue;
        v->mounts[i].ops->release(v->mounts[i].self);
        free(v->mounts[i].path);
        v->mounts[i] = v->mounts[--v->n_mounts];
        return 0;
    }
    return -VFS_ENOENT;
}

/* ---- the audit trail ------------------------------------------------------ */

static int stat_path(vfs *v, const char *path, bool follow, vfs_stat *st);

void vfs_set_audit(vfs *v, vfs_audit_fn fn, void *ctx) {
    v->audit = fn;
    v->audit_ctx = ctx;
}

const char *vfs_errno_name(int rc) {
    static const struct { int e; const char *name; } names[] = {
        {VFS_EPERM, "EPERM"}, {VFS_ENOENT, "ENOENT"}, {VFS_EIO, "EIO"}, {VFS_EBADF, "EBADF"},
        {VFS_ENOMEM, "ENOMEM"}, {VFS_EACCES, "EACCES"}, {VFS_EEXIST, "EEXIST"}, {VFS_EXDEV, "EXDEV"},
        {VFS_ENOTDIR, "ENOTDIR"}, {VFS_EISDIR, "EISDIR"}, {VFS_EINVAL, "EINVAL"}, {VFS_EMFILE, "EMFILE"},
        {VFS_EFBIG, "EFBIG"}, {VFS_ENOSPC, "ENOSPC"}, {VFS_ESPIPE, "ESPIPE"}, {VFS_EROFS, "EROFS"},
        {VFS_ERANGE, "ERANGE"}, {VFS_ENAMETOOLONG, "ENAMETOOLONG"}, {VFS_ENOSYS, "ENOSYS"},
        {VFS_ENOTEMPTY, "ENOTEMPTY"}, {VFS_ELOOP, "ELOOP"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (-rc == names[i].e) return names[i].name;
    return "EIO";
}

/* Report op on path (served by m, or by no mount) that ended with rc. */
static void audit(const vfs *v, const char *op, const char *path, const char *mode, const mount *m, int rc) {
    if (!v->audit || !path[0]) return; /* path[0]: it could not even be normalised */
    const char *refused = NULL;
    if (!m && rc) refused = "outside every grant";
    else if (m && (rc == -VFS_EACCES || rc == -VFS_EROFS))
        refused = "not allowed by the grant (read-only, or the path leads outside it)";
    if (!refused && (!m || !m->audited)) return;
    v->audit(v->audit_ctx, &(vfs_audit_event){op, path, mode, refused, rc});
}

static void open_mode(int flags, char *buf, size_t size) {
    static const char *const access[] = {"read", "write", "read+write", "read+write"};
    snprintf(buf, size, "%s%s%s%s%s", access[flags & VFS_O_ACCMODE], (flags & VFS_O_CREAT) ? ", create" : "",
             (flags & VFS_O_EXCL) ? ", exclusive" : "", (flags & VFS_O_TRUNC) ? ", truncate" : "",
             (flags & VFS_O_APPEND) ? ", append" : "");
}

/* Does the path name a directory whatever it resolves to ("x/", "x/.",
 * "x/..")? POSIX: then it must be one (ENOTDIR), though the lexical
 * normalisation drops the trailing part. */
static bool names_directory(const char *path) {
    size_t len = strlen(path);
    const char *last = strrchr(path, '/');
    const char *name = last ? last + 1 : path;
    return (len && path[len - 1] == '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/* Is `prefix` (normalised) equal to `path` or an ancestor of it? */
static bool path_within(const char *path, const char *prefix, size_t plen) {
    if (plen == 1) return true; /* "/" */
    return strncmp(path, prefix, plen) == 0 && (path[plen] == '\0' || path[plen] == '/');
}

/* The mount serving an absolute normalised path, and the path inside it. */
static const mount *find_mount(const vfs *v, const char *path, const char **rel) {
    const mount *best = NULL;
    for (int i = 0; i < v->n_mounts; i++) {
        const mount *m = &v->mounts[i];
        if (path_within(path, m->path, m->len) && (!best || m->len > best->len)) best = m;
    }
    if (best) {
        const char *r = path + (best->len == 1 ? 1 : best->len);
        *rel = *r == '/' ? r + 1 : r;
    }
    return best;
}

/* A directory that exists only because a mount point lies below it. */
static bool is_mount_ancestor(const vfs *v, const char *path) {
    size_t len = strlen(path);
    for (int i = 0; i < v->n_mounts; i++) {
        const char *mp = v->mounts[i].path;
        if (len == 1 || (strncmp(mp, path, len) == 0 && mp[len] == '/')) return true;
    }
    return len == 1; /* the root always exists */
}

/* ---- synthetic directories (ancestors of mount points) ---------------- */

typedef struct synth_dir {
    vfs_file base;
    const vfs *v;
    char path[VFS_PATH_MAX];
} synth_dir;

static int64_t synth_pread(vfs_file *f, void *buf, size_t n, uint64_t off) {
    (void)f, (void)buf, (void)n, (void)off;
    return -VFS_EISDIR;
}

static int64_t synth_pwrite(vfs_file *f, const void *buf, size_t n, uint64_t off) {
    (void)f, (void)buf, (void)n, (void)off;
    return -VFS_EBADF;
}

static int synth_fstat(vfs_file *f, vfs_stat *st) {
    (void)f;
    *st = (vfs_stat){.mode = VFS_S_IFDIR | 0555, .ino = 1};
    return 0;
}

/* Entry `index` of the names of mount points' next components below path. */
static int synth_readdir(vfs_file *f, uint64_t index, vfs_dirent *out) {
    synth_dir *d = (synth_dir *)f;
    size_t len = strlen(d->path);
    uint64_t seen = 0;
    for (int i = 0; i < d->v->n_mounts; i++) {
        const char *mp = d->v->mounts[i].path;
        if (len > 1 && (strncmp(mp, d->path, len) != 0 || mp[len] != '/')) continue;
        const char *name = mp + (len > 1 ? len + 1 : 1);
        size_t nlen = strcspn(name, "/");
        if (nlen == 0) continue; /* the root mount itself */
        /* skip names already produced by an earlier mount */
        bool dup = false;
        for (int j = 0; j < i && !dup; j++) {
            const char *o = d->v->mounts[j].path;
            if (len > 1 && (strncmp(o, d->path, len) != 0 || o[len] != '/')) continue;
            const char *on = o + (len > 1 ? len + 1 : 1);
            dup = strcspn(on, "/") == nlen && strncmp(on, name, nlen) == 0;
        }
        if (dup) continue;
        if (seen++ == index) {
            memcpy(out->name, name, nlen);
            out->name[nlen] = '\0';
            out->type = 4;
            out->ino = 2 + (uint64_t)i;
            return 1;
        }
    }
    return 0;
}

static void synth_close(vfs_file *f) { free(f); }

static const vfs_file_ops synth_ops = {synth_pread, synth_pwrite, synth_fstat, synth_readdir, synth_close};

/* ---- descriptors -------------------------------------------------------- */

static open_file *get_fd(const vfs *v, int fd) {
    if (fd < FIRST_FD || fd >= VFS_MAX_FDS) return NULL;
    open_file *of = (open_file *)&v->fds[fd];
    return of->file ? of : NULL;
}

bool vfs_fd_valid(const vfs *v, int fd) { return get_fd(v, fd) != NULL; }

static int install_fd(vfs *v, vfs_file *file, int flags) {
    for (int fd = FIRST_FD; fd < VFS_MAX_FDS; fd++)
        if (!v->fds[fd].file) {
            vfs_stat st;
            bool dir = file->ops->fstat(file, &st) == 0 && (st.mode & VFS_S_IFDIR);
            v->fds[fd] = (open_file){file, 0, flags, dir};
            return fd;
        }
    file->ops->close(file);
    return -VFS_EMFILE;
}

int vfs_install(vfs *v, int fd, vfs_file *file, int flags) {
    if (fd < FIRST_FD || fd >= VFS_MAX_FDS || v->fds[fd].file) {
        file->ops->close(file);
        return -VFS_EBADF;
    }
    v->fds[fd] = (open_file){file, 0, flags, false};
    return fd;
}

static int open_synthetic(vfs *v, const char *path, int flags, vfs_file **out) {
    if ((flags & VFS_O_ACCMODE) != VFS_O_RDONLY) return (flags & VFS_O_CREAT) ? -VFS_EACCES : -VFS_EISDIR;
    synth_dir *d = calloc(1, sizeof *d);
    if (!d) return -VFS_ENOMEM;
    d->base.ops = &synth_ops;
    d->v = v;
    strcpy(d->path, path);
    *out = &d->base;
    return 0;
}

int vfs_open(vfs *v, const char *path, int flags, uint32_t mode) {
    char norm[VFS_PATH_MAX];
    int rc = vfs_normalize(v->cwd, path, norm);
    if (rc) return rc;
    if (names_directory(path)) {
        if (flags & VFS_O_CREAT) return -VFS_EISDIR; /* as Linux: a file cannot be made at "x/" */
        flags |= VFS_O_DIRECTORY;
    }
    const char *rel;
    const mount *m = find_mount(v, norm, &rel);
    vfs_stat st;
    bool existed = v->audit && (flags & VFS_O_CREAT) && stat_path(v, path, false, &st) == 0;
    vfs_file *file = NULL;
    if (m)
        rc = m->ops->open(m->self, rel, flags, mode, &file);
    else if (is_mount_ancestor(v, norm))
        rc = open_synthetic(v, norm, flags, &file);
    else
        rc = (flags & VFS_O_CREAT) ? -VFS_EACCES : -VFS_ENOENT;
    int fd = rc ? rc : install_fd(v, file, flags);
    if (v->audit) {
        bool dir = (flags & VFS_O_DIRECTORY) || (fd >= 0 && v->fds[fd].is_dir);
        char how[80];
        open_mode(flags, how, sizeof how);
        const char *op = dir ? "list" : (flags & VFS_O_CREAT) && !existed && fd >= 0 ? "create" : "open";
        audit(v, op, norm, dir ? NULL : how, m, fd < 0 ? fd : 0);
    }
    return fd;
}

/* Is file in table (by identity)? */
static bool listed(const open_file *table, const vfs_file *file) {
    for (int i = FIRST_FD; i < VFS_MAX_FDS; i++)
        if (table[i].file == file) return true;
    return false;
}

int vfs_close(vfs *v, int fd) {
    open_file *of = get_fd(v, fd);
    if (!of) return -VFS_EBADF;
    /* a file open when the execution began stays open until it ends */
    if (!v->in_exec || !listed(v->saved_fds, of->file)) of->file->ops->close(of->file);
    of->file = NULL;
    return 0;
}

/* Close every file of `from` that is not in `keep`. */
static void close_missing(open_file *from, const open_file *keep) {
    for (int i = FIRST_FD; i < VFS_MAX_FDS; i++)
        if (from[i].file && !listed(keep, from[i].file)) {
            from[i].file->ops->close(from[i].file);
            from[i].file = NULL;
        }
}

void vfs_begin(vfs *v) {
    memcpy(v->saved_fds, v->fds, sizeof v->fds);
    memcpy(v->saved_cwd, v->cwd, strlen(v->cwd) + 1);
    v->in_exec = true;
}

void vfs_commit(vfs *v) {
    if (!v->in_exec) return;
    close_missing(v->saved_fds, v->fds); /* closed during the execution */
    v->in_exec = false;
}

void vfs_rollback(vfs *v) {
    if (!v->in_exec) return;
    close_missing(v->fds, v->saved_fds); /* opened during the execution */
    memcpy(v->fds, v->saved_fds, sizeof v->fds);
    memcpy(v->cwd, v->saved_cwd, strlen(v->saved_cwd) + 1);
    v->in_exec = false;
}

int64_t vfs_read(vfs *v, int fd, void *buf, size_t n) {
    open_file *of = get_fd(v, fd);
    if (!of) return -VFS_EBADF;
    if ((of->flags & VFS_O_ACCMODE) == VFS_O_WRONLY) return -VFS_EBADF;
    if (of->is_dir) return -VFS_EISDIR;
    int64_t got = of->file->ops->pread(of->file, buf, n, of->offset);
    if (got > 0) of->offset += (uint64_t)got;
    return got;
}

int64_t vfs_write(vfs *v, int fd, const void *buf, size_t n) {
    open_file *of = get_fd(v, fd);
    if (!of) return -VFS_EBADF;
    if ((of->flags & VFS_O_ACCMODE) == VFS_O_RDONLY) return -VFS_EBADF;
    if (of->flags & VFS_O_APPEND) {
        vfs_stat st;
        int rc = of->file->ops->fstat(of->file, &st);
        if (rc) return rc;
        of->offset = st.size;
    }
    int64_t put = of->file->ops->pwrite(of->file, buf, n, of->offset);
    if (put > 0) of->offset += (uint64_t)put;
    return put;
}

int64_t vfs_seek(vfs *v, int fd, int64_t off, int whence) {
    open_file *of = get_fd(v, fd);
    if (!of) return -VFS_EBADF;
    int64_t base = 0;
    if (whence == 1) {
        base = (int64_t)of->offset;
    } else if (whence == 2) {
        vfs_stat st;
        int rc = of->file->ops->fstat(of->file, &st);
        if (rc) return rc;
        base = (int64_t)st.size;
    } else if (whence != 0) {
        return -VFS_EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0) return -VFS_EINVAL;
    of->offset = (uint64_t)(base + off);
    return (int64_t)of->offset;
}

int vfs_fstat(vfs *v, int fd, vfs_stat *st) {
    open_file *of = get_fd(v, fd);
    if (!of) return -VFS_EBADF;
    return of->file->ops->fstat(of->file, st);
}

int vfs_readdir(vfs *v, int fd, vfs_dirent *out) {
    open_file *of = get_fd(v, fd);
    if (!of) return -VFS_EBADF;
    if (!of->is_dir) return -VFS_ENOTDIR;
    int rc = of->file->ops->readdir(of->file, of->offset, out);
    if (rc == 1) of->offset++;
    return rc;
}

/* Resolve path to (mount, rel) for operations that need a backend. */
static int resolve(const vfs *v, const char *path, char norm[VFS_PATH_MAX], const mount **m, const char **rel) {
    int rc = vfs_normalize(v->cwd, path, norm);
    if (rc) return rc;
    *m = find_mount(v, norm, rel);
    return 0;
}

/* stat without an audit record (also used inside other operations); the
 * mount serving path in *mp. */
static int stat_at(vfs *v, const char *path, bool follow, vfs_stat *st, char norm[VFS_PATH_MAX], const mount **mp) {
    const char *rel;
    int rc = resolve(v, path, norm, mp, &rel);
    if (rc) return rc;
    const mount *m = *mp;
    if (m) {
        rc = m->ops->stat(m->self, rel, follow || names_directory(path), st);
        return rc == 0 && names_directory(path) && !(st->mode & VFS_S_IFDIR) ? -VFS_ENOTDIR : rc;
    }
    if (is_mount_ancestor(v, norm)) {
        *st = (vfs_stat){.mode = VFS_S_IFDIR | 0555, .ino = 1};
        return 0;
    }
    return -VFS_ENOENT;
}

static int stat_path(vfs *v, const char *path, bool follow, vfs_stat *st) {
    char norm[VFS_PATH_MAX];
    const mount *m;
    return stat_at(v, path, follow, st, norm, &m);
}

int vfs_stat_path(vfs *v, const char *path, bool follow, vfs_stat *st) {
    char norm[VFS_PATH_MAX];
    const mount *m = NULL;
    int rc = stat_at(v, path, follow, st, norm, &m);
    if (m) audit(v, "stat", norm, NULL, m, rc); /* outside every grant: the import system probes */
    return rc;
}

/* 0 if path is a directory, else -ENOTDIR or why it cannot be seen. */
static int require_directory(vfs *v, const char *path) {
    vfs_stat st;
    int rc = stat_path(v, path, false, &st);
    return rc ? rc : (st.mode & VFS_S_IFDIR) ? 0 : -VFS_ENOTDIR;
}

/* Mutations: only a backend can perform them; elsewhere nothing is writable.
 * *rel points into norm, so norm must outlive the backend call. */
static int mutation_target(vfs *v, const char *path, char norm[VFS_PATH_MAX], const mount **m, const char **rel) {
    int rc = resolve(v, path, norm, m, rel);
    if (rc) return rc;
    if (*m && **rel) return 0;
    return is_mount_ancestor(v, norm) || *m ? -VFS_EACCES : -VFS_ENOENT;
}

int vfs_mkdir(vfs *v, const char *path, uint32_t mode) {
    char norm[VFS_PATH_MAX] = "";
    const mount *m = NULL;
    const char *rel;
    int rc = mutation_target(v, path, norm, &m, &rel);
    vfs_stat st;
    if (rc == -VFS_EACCES && stat_path(v, path, true, &st) == 0) rc = -VFS_EEXIST;
    else if (!rc) rc = m->ops->mkdir(m->self, rel, mode);
    audit(v, "mkdir", norm, NULL, m, rc);
    return rc;
}

int vfs_unlink(vfs *v, const char *path) {
    char norm[VFS_PATH_MAX] = "";
    const mount *m = NULL;
    const char *rel;
    int rc = mutation_target(v, path, norm, &m, &rel);
    if (!rc && names_directory(path)) {
        rc = require_directory(v, path); /* "x/": ENOTDIR for a file, EISDIR for a directory */
        if (!rc) rc = -VFS_EISDIR;
    }
    if (!rc) rc = m->ops->unlink(m->self, rel);
    audit(v, "remove", norm, NULL, m, rc);
    return rc;
}

int vfs_rmdir(vfs *v, const char *path) {
    char norm[VFS_PATH_MAX] = "";
    const mount *m = NULL;
    const char *rel;
    int rc = mutation_target(v, path, norm, &m, &rel);
    if (!rc) rc = m->ops->rmdir(m->self, rel);
    audit(v, "rmdir", norm, NULL, m, rc);
    return rc;
}

static int rename_in(vfs *v, const char *from, const char *to, char *n1, char *n2, const mount **m1,
                     const mount **m2) {
    const char *r1, *r2;
    int rc = mutation_target(v, from, n1, m1, &r1);
    if (!rc) rc = mutation_target(v, to, n2, m2, &r2);
    if (!rc && (names_directory(from) || names_directory(to))) rc = require_directory(v, from);
    if (rc) return rc;
    if (*m1 != *m2) return -VFS_EXDEV;
    return (*m1)->ops->rename((*m1)->self, r1, r2);
}

int vfs_rename(vfs *v, const char *from, const char *to) {
    char n1[VFS_PATH_MAX] = "", n2[VFS_PATH_MAX] = "";
    const mount *m1 = NULL, *m2 = NULL;
    int rc = rename_in(v, from, to, n1, n2, &m1, &m2);
    if (v->audit && n1[0]) {
        char both[2 * VFS_PATH_MAX + 8];
        snprintf(both, sizeof both, "%s -> %s", n1, n2[0] ? n2 : to);
        audit(v, "rename", both, NULL, m1 && (m2 || !n2[0]) ? m1 : NULL, rc);
    }
    return rc;
}

int vfs_chdir(vfs *v, const char *path) {
    char norm[VFS_PATH_MAX];
    int rc = vfs_normalize(v->cwd, path, norm);
    if (rc) return rc;
    vfs_stat st;
    rc = stat_path(v, norm, true, &st);
    if (rc) return rc;
    if (!(st.mode & VFS_S_IFDIR)) return -VFS_ENOTDIR;
    strcpy(v->cwd, norm);
    return 0;
}

const char *vfs_getcwd(const vfs *v) { return v->cwd; }
