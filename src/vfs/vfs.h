/*
 * vfs.h - the only filesystem a guest can see.
 *
 * The guest's file syscalls (abi/syscalls.c) arrive here with guest paths.
 * A path is resolved against the guest's working directory, normalised
 * lexically, and handed to the backend mounted at its longest matching
 * prefix. Nothing else is reachable: a path under no mount fails with
 * ENOENT, a write where nothing is writable with EACCES.
 *
 * Backends implement vfs_backend_ops: the embedded read-only library
 * (embedded.c) today; host directories and scratch space plug in the same way.
 *
 * Error values are negative errno numbers (see below), ready to return to
 * the guest as they are.
 */
#ifndef AIRLOCK_VFS_H
#define AIRLOCK_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * errno values as the guest's Python sees them: MicroPython's errno module
 * uses Linux numbering, and the guest's libc passes what we return straight
 * through to OSError, so these are Linux's numbers, like CPython's.
 */
enum {
    VFS_EPERM = 1, VFS_ENOENT = 2, VFS_EIO = 5, VFS_EBADF = 9, VFS_ENOMEM = 12, VFS_EACCES = 13,
    VFS_EEXIST = 17, VFS_EXDEV = 18, VFS_ENOTDIR = 20, VFS_EISDIR = 21, VFS_EINVAL = 22, VFS_EMFILE = 24,
    VFS_EFBIG = 27, VFS_ENOSPC = 28, VFS_ESPIPE = 29, VFS_EROFS = 30, VFS_ERANGE = 34,
    VFS_ENAMETOOLONG = 36, VFS_ENOSYS = 38, VFS_ENOTEMPTY = 39, VFS_ELOOP = 40
};

/* open flags as the guest (musl) numbers them */
enum {
    VFS_O_ACCMODE = 3, VFS_O_RDONLY = 0, VFS_O_WRONLY = 1, VFS_O_RDWR = 2,
    VFS_O_CREAT = 0100, VFS_O_EXCL = 0200, VFS_O_TRUNC = 01000, VFS_O_APPEND = 02000,
    VFS_O_DIRECTORY = 0200000, VFS_O_NOFOLLOW = 0400000
};

#define VFS_S_IFDIR 0040000u
#define VFS_S_IFREG 0100000u
#define VFS_PATH_MAX 4096
#define VFS_NAME_MAX 255
#define VFS_MAX_FDS 64

typedef struct vfs_stat {
    uint32_t mode;      /* S_IF* | permission bits */
    uint64_t size;
    uint64_t ino;
    int64_t mtime_s;
} vfs_stat;

typedef struct vfs_dirent {
    uint64_t ino;
    uint8_t type;       /* DT_DIR 4, DT_REG 8 */
    char name[VFS_NAME_MAX + 1];
} vfs_dirent;

typedef struct vfs_file vfs_file;

/* An open file or directory; backends embed this as their first member. */
typedef struct vfs_file_ops {
    /* Read/write at offset; return bytes or -errno. */
    int64_t (*pread)(vfs_file *f, void *buf, size_t n, uint64_t off);
    int64_t (*pwrite)(vfs_file *f, const void *buf, size_t n, uint64_t off);
    int (*fstat)(vfs_file *f, vfs_stat *st);
    /* Directory entry number `index`: 1 and fills *out, 0 at the end, or -errno. */
    int (*readdir)(vfs_file *f, uint64_t index, vfs_dirent *out);
    void (*close)(vfs_file *f);
} vfs_file_ops;

struct vfs_file {
    const vfs_file_ops *ops;
};

/* A backend serves paths relative to its mount point ("" is its root,
 * components separated by '/', already normalised: no ".", "..", "//"). */
typedef struct vfs_backend_ops {
    int (*open)(void *self, const char *rel, int flags, uint32_t mode, vfs_file **out);
    int (*stat)(void *self, const char *rel, bool follow, vfs_stat *st);
    int (*mkdir)(void *self, const char *rel, uint32_t mode);
    int (*unlink)(void *self, const char *rel);
    int (*rmdir)(void *self, const char *rel);
    int (*rename)(void *self, const char *from, const char *to);
    /* A copy for a cloned sandbox (shared if immutable), or NULL on OOM. */
    void *(*clone)(void *self);
    void (*release)(void *self);
} vfs_backend_ops;

typedef struct vfs vfs;

vfs *vfs_new(void);
void vfs_free(vfs *v);
/* A copy with the same mounts and cwd and no open files, or NULL. */
vfs *vfs_clone(const vfs *v);
/* Mount a backend at an absolute guest path; the vfs takes ownership. */
int vfs_mount(vfs *v, const char *guest_path, const vfs_backend_ops *ops, void *self);
/* The same for the host's own plumbing (a guest's private channels, the
 * host-call device): never in the audit trail, like the library. */
int vfs_mount_internal(vfs *v, const char *guest_path, const vfs_backend_ops *ops, void *self);
/* Remove the mount at guest_path (normalised, as mounted); files open on
 * it stay open, so only backends whose files do not use the backend's
 * state may be unmounted while open. 0 or -VFS_ENOENT. */
int vfs_unmount(vfs *v, const char *guest_path);

int vfs_open(vfs *v, const char *path, int flags, uint32_t mode);
/* Put a file the host made (no path leads to it) at descriptor fd, which
 * must be free: the host's own plumbing at a fixed number. fd, or -errno
 * with the file closed. */
int vfs_install(vfs *v, int fd, vfs_file *file, int flags);
int vfs_close(vfs *v, int fd);
int64_t vfs_read(vfs *v, int fd, void *buf, size_t n);
int64_t vfs_write(vfs *v, int fd, const void *buf, size_t n);
int64_t vfs_seek(vfs *v, int fd, int64_t off, int whence);
int vfs_fstat(vfs *v, int fd, vfs_stat *st);
int vfs_stat_path(vfs *v, const char *path, bool follow, vfs_stat *st);
/* Next directory entry of fd: 1 and fills *out, 0 at the end, or -errno. */
int vfs_readdir(vfs *v, int fd, vfs_dirent *out);
int vfs_mkdir(vfs *v, const char *path, uint32_t mode);
int vfs_unlink(vfs *v, const char *path);
int vfs_rmdir(vfs *v, const char *path);
int vfs_rename(vfs *v, const char *from, const char *to);
int vfs_chdir(vfs *v, const char *path);

/*
 * An execution of guest code as a transaction over the descriptor table
 * and the working directory. vfs_begin marks the start; vfs_commit keeps
 * what the execution did; vfs_rollback closes every file and directory
 * listing it opened and gives back the descriptors (offsets included) and
 * the cwd it began with: the guest's memory is rolled back with it, and
 * its file objects name those descriptors. Data written to host files
 * stays written.
 */
void vfs_begin(vfs *v);
void vfs_commit(vfs *v);
void vfs_rollback(vfs *v);
const char *vfs_getcwd(const vfs *v);
bool vfs_fd_valid(const vfs *v, int fd);

/*
 * The audit trail of file operations: with a callback set, every operation
 * on a granted mount (open with its mode, list, stat, mkdir, rmdir, remove,
 * rename) and every refusal of a path by the grants is reported once. The
 * read-only library (/lib) and the directories above mount points are not
 * grants: only refusals there are reported. A stat outside every grant is
 * not (the import system probes many paths).
 */
typedef struct vfs_audit_event {
    const char *op;       /* "open", "create", "list", "stat", "mkdir", "rmdir", "remove", "rename" */
    const char *path;     /* normalised guest path; "FROM -> TO" for rename */
    const char *mode;     /* open and create: "read", "write, create, truncate", ...; else NULL */
    const char *refused;  /* why the grants refused it, or NULL */
    int rc;               /* 0 or -errno */
} vfs_audit_event;
typedef void (*vfs_audit_fn)(void *ctx, const vfs_audit_event *e);
void vfs_set_audit(vfs *v, vfs_audit_fn fn, void *ctx);
/* "ENOENT" for -VFS_ENOENT and so on; "EIO" for a number not listed. */
const char *vfs_errno_name(int rc);

/*
 * Lexically normalise `path` against `cwd` into out (absolute, no ".", "..",
 * empty components or trailing '/'). Returns 0 or -errno. ".." at the root
 * stays at the root, as in POSIX.
 */
int vfs_normalize(const char *cwd, const char *path, char out[VFS_PATH_MAX]);

/* The read-only library embedded at build time (embedded.c). */
typedef struct vfs_embedded_file {
    const char *path;           /* relative to the mount, e.g. "json_ext.py" */
    const unsigned char *data;
    size_t size;
} vfs_embedded_file;

typedef struct vfs_embedded_tree {
    const vfs_embedded_file *files;
    size_t count;
} vfs_embedded_tree;

/* Mount with vfs_mount(v, "/lib", &vfs_embedded_ops, (void *)&tree): the
 * tree is static data and is never freed. */
extern const vfs_backend_ops vfs_embedded_ops;

/* A digest of a tree's file names and bytes (never 0): what a session or
 * snapshot made with this build's guest-side code records, so that one made
 * with other code is refused (it holds that code's objects). */
uint64_t vfs_embedded_digest(const vfs_embedded_tree *t);

#endif
