/*
 * embedded.c - a read-only directory tree compiled into airlock.
 *
 * Serves the guest library (guests/micropython/lib, embedded at build time) at /lib.
 * The file table is immutable and shared by every sandbox; directories are
 * implied by the files' paths.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/image.h"
#include "vfs/vfs.h"

typedef vfs_embedded_tree embedded;

typedef struct embedded_file {
    vfs_file base;
    const embedded *tree;
    const vfs_embedded_file *file;  /* NULL for a directory */
    char dir[VFS_PATH_MAX];         /* the directory's relative path */
} embedded_file;

/* Is `rel` a directory: the root, or a proper prefix of some file's path? */
static bool is_dir(const embedded *t, const char *rel) {
    size_t len = strlen(rel);
    if (len == 0) return true;
    for (size_t i = 0; i < t->count; i++)
        if (strncmp(t->files[i].path, rel, len) == 0 && t->files[i].path[len] == '/') return true;
    return false;
}

static const vfs_embedded_file *find_file(const embedded *t, const char *rel) {
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->files[i].path, rel) == 0) return &t->files[i];
    return NULL;
}

static void fill_stat(const embedded *t, const vfs_embedded_file *f, vfs_stat *st) {
    if (f)
        *st = (vfs_stat){.mode = VFS_S_IFREG | 0444, .size = f->size, .ino = 100 + (uint64_t)(f - t->files)};
    else
        *st = (vfs_stat){.mode = VFS_S_IFDIR | 0555, .ino = 99};
}

static int64_t ef_pread(vfs_file *vf, void *buf, size_t n, uint64_t off) {
    embedded_file *ef = (embedded_file *)vf;
    if (!ef->file) return -VFS_EISDIR;
    if (off >= ef->file->size) return 0;
    size_t avail = ef->file->size - (size_t)off;
    if (n > avail) n = avail;
    memcpy(buf, ef->file->data + off, n);
    return (int64_t)n;
}

static int64_t ef_pwrite(vfs_file *vf, const void *buf, size_t n, uint64_t off) {
    (void)vf, (void)buf, (void)n, (void)off;
    return -VFS_EBADF; /* opened read-only: the open refused every write mode */
}

static int ef_fstat(vfs_file *vf, vfs_stat *st) {
    embedded_file *ef = (embedded_file *)vf;
    fill_stat(ef->tree, ef->file, st);
    return 0;
}

/* The child name of dir that path lies under, if any (length in *len). */
static const char *child_of(const char *dir, const char *path, size_t *len) {
    size_t dlen = strlen(dir);
    if (dlen) {
        if (strncmp(path, dir, dlen) != 0 || path[dlen] != '/') return NULL;
        path += dlen + 1;
    }
    *len = strcspn(path, "/");
    return path;
}

static int ef_readdir(vfs_file *vf, uint64_t index, vfs_dirent *out) {
    embedded_file *ef = (embedded_file *)vf;
    const embedded *t = ef->tree;
    if (ef->file) return -VFS_ENOTDIR;
    uint64_t seen = 0;
    for (size_t i = 0; i < t->count; i++) {
        size_t len;
        const char *name = child_of(ef->dir, t->files[i].path, &len);
        if (!name) continue;
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++) {
            size_t olen;
            const char *other = child_of(ef->dir, t->files[j].path, &olen);
            dup = other && olen == len && strncmp(other, name, len) == 0;
        }
        if (dup || seen++ != index) continue;
        memcpy(out->name, name, len);
        out->name[len] = '\0';
        out->type = name[len] == '/' ? 4 : 8;
        out->ino = 100 + i;
        return 1;
    }
    return 0;
}

static void ef_close(vfs_file *vf) { free(vf); }

static const vfs_file_ops embedded_file_ops = {ef_pread, ef_pwrite, ef_fstat, ef_readdir, ef_close};

static int em_open(void *self, const char *rel, int flags, uint32_t mode, vfs_file **out) {
    (void)mode;
    embedded *t = self;
    const vfs_embedded_file *f = find_file(t, rel);
    bool dir = !f && is_dir(t, rel);
    if (!f && !dir) return (flags & VFS_O_CREAT) ? -VFS_EACCES : -VFS_ENOENT;
    if ((flags & VFS_O_ACCMODE) != VFS_O_RDONLY || (flags & (VFS_O_CREAT | VFS_O_TRUNC)))
        return dir ? -VFS_EISDIR : -VFS_EACCES;
    if (f && (flags & VFS_O_DIRECTORY)) return -VFS_ENOTDIR;
    embedded_file *ef = calloc(1, sizeof *ef);
    if (!ef) return -VFS_ENOMEM;
    ef->base.ops = &embedded_file_ops;
    ef->tree = t;
    ef->file = f;
    if (dir) strcpy(ef->dir, rel);
    *out = &ef->base;
    return 0;
}

static int em_stat(void *self, const char *rel, bool follow, vfs_stat *st) {
    (void)follow;
    embedded *t = self;
    const vfs_embedded_file *f = find_file(t, rel);
    if (!f && !is_dir(t, rel)) return -VFS_ENOENT;
    fill_stat(t, f, st);
    return 0;
}

static int em_exists_or(void *self, const char *rel, int otherwise) {
    vfs_stat st;
    return em_stat(self, rel, false, &st) == 0 ? -VFS_EACCES : otherwise;
}

static int em_mkdir(void *self, const char *rel, uint32_t mode) {
    (void)mode;
    vfs_stat st;
    return em_stat(self, rel, false, &st) == 0 ? -VFS_EEXIST : -VFS_EACCES;
}

static int em_unlink(void *self, const char *rel) { return em_exists_or(self, rel, -VFS_ENOENT); }
static int em_rmdir(void *self, const char *rel) { return em_exists_or(self, rel, -VFS_ENOENT); }

static int em_rename(void *self, const char *from, const char *to) {
    (void)to;
    return em_exists_or(self, from, -VFS_ENOENT);
}

/* The tree is static, generated data, shared by every sandbox. */
static void *em_clone(void *self) { return self; }
static void em_release(void *self) { (void)self; }

const vfs_backend_ops vfs_embedded_ops = {em_open, em_stat, em_mkdir, em_unlink, em_rmdir, em_rename, em_clone, em_release};

static void sum_piece(session_sum *s, const void *data, size_t n) {
    uint64_t len = n;
    session_sum_add(s, &len, sizeof len);
    session_sum_add(s, data, n);
}

uint64_t vfs_embedded_digest(const vfs_embedded_tree *t) {
    session_sum s;
    session_sum_init(&s);
    for (size_t i = 0; i < t->count; i++) {
        sum_piece(&s, t->files[i].path, strlen(t->files[i].path));
        sum_piece(&s, t->files[i].data, t->files[i].size);
    }
    return session_sum_final(&s) | 1;
}
