/*
 * hostdir.c - a host directory (or one host file) shown to the guest.
 *
 * Confinement is the kernel's job, not ours: the grant's root is opened once
 * (O_PATH) when the grant is made, and every guest path is resolved beneath
 * it with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS). The kernel then
 * refuses "..", absolute symlinks and relative symlinks that climb out, and
 * /proc/self/{root,cwd,fd/N} style magic links, atomically with the lookup,
 * so no check of ours can be raced. Operations on a final component
 * (mkdir, unlink, rmdir, rename, lstat) open its parent the same way and use
 * the *at() call with the bare name, which never follows a symlink in the
 * final position. No guest-controlled string ever reaches a path-based
 * syscall.
 *
 * Kernels without openat2 (before 5.6, or a seccomp filter that hides it)
 * are refused when the grant is made, with a clear message: a user-space
 * walk is easy to get subtly wrong, and a refused grant is safe.
 *
 * Only regular files and directories are opened: a FIFO would block the host
 * thread forever, and opening a device can have side effects. Each open first
 * looks with O_PATH (no side effects), then opens for real (non-blocking) and
 * checks it got the same inode.
 *
 * Host allocations the guest can cause are bounded: one small struct per
 * open file (the vfs allows VFS_MAX_FDS of them) plus a fixed directory
 * buffer per open directory.
 *
 * A single-file grant keeps the file itself open (read-only or read-write)
 * and serves only the empty relative path; each guest open gets a dup of it,
 * and all I/O is pread/pwrite, so the shared file offset does not matter.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vfs/hostdir.h"

#define DIRBUF_SIZE 8192
#define MAX_IO (16u << 20) /* bytes per read/write call; the guest loops */
#define RESOLVE_RETRIES 8  /* openat2 says EAGAIN when a rename raced it */

struct hostdir {
    atomic_int refs;   /* shared by every sandbox cloned from the runtime */
    int fd;            /* O_PATH of the directory, or the open file */
    bool writable;
    bool is_file;
};

typedef struct host_file {
    vfs_file base;
    int fd;
    bool is_dir;
    /* directory listing state: a window of getdents64 output */
    uint64_t next_index;      /* index of the entry at buf[pos] */
    size_t len, pos;
    bool eof;
    _Alignas(8) char buf[];   /* DIRBUF_SIZE bytes for directories; records are 8-aligned */
} host_file;

/* ---- kernel resolution ----------------------------------------------- */

static int sys_openat2(int dirfd, const char *path, int flags, mode_t mode) {
    struct open_how how = {
        .flags = (uint64_t)(flags | O_CLOEXEC),
        .mode = (flags & O_CREAT) ? (uint64_t)(mode & 0777) : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    for (int i = 0;; i++) {
        long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
        if (fd >= 0) return (int)fd;
        if (errno == EINTR || (errno == EAGAIN && i < RESOLVE_RETRIES)) continue;
        return -1;
    }
}

/*
 * -errno for the guest. EXDEV from openat2 means "this path leads outside
 * the grant"; the guest sees that as permission denied, like any path it
 * was not given.
 */
static int resolve_error(void) {
    int e = errno;
    if (e == EXDEV) return -VFS_EACCES;
    return e > 0 ? -e : -VFS_EIO;
}

/* Open `rel` beneath the grant root with O_PATH (no side effects). */
static int open_path(const hostdir *h, const char *rel, int extra) {
    return sys_openat2(h->fd, *rel ? rel : ".", O_PATH | extra, 0);
}

/*
 * Split rel into its parent (opened O_PATH|O_DIRECTORY beneath the root)
 * and the final component. Returns the parent fd or -errno.
 */
static int open_parent(const hostdir *h, const char *rel, char parent[VFS_PATH_MAX], const char **name) {
    const char *slash = strrchr(rel, '/');
    if (!*rel) return -VFS_EACCES; /* the grant root itself */
    if (!slash) {
        strcpy(parent, ".");
        *name = rel;
    } else {
        size_t n = (size_t)(slash - rel);
        memcpy(parent, rel, n);
        parent[n] = '\0';
        *name = slash + 1;
    }
    int fd = sys_openat2(h->fd, parent, O_PATH | O_DIRECTORY, 0);
    return fd >= 0 ? fd : resolve_error();
}

static void to_vfs_stat(const struct stat *s, vfs_stat *st) {
    *st = (vfs_stat){
        .mode = (uint32_t)s->st_mode,
        .size = s->st_size > 0 ? (uint64_t)s->st_size : 0,
        .ino = (uint64_t)s->st_ino,
        .mtime_s = (int64_t)s->st_mtime,
    };
}

static bool servable(const struct stat *s) { return S_ISREG(s->st_mode) || S_ISDIR(s->st_mode); }

/* ---- open files ---------------------------------------------------------- */

static int64_t hf_pread(vfs_file *vf, void *buf, size_t n, uint64_t off) {
    host_file *f = (host_file *)vf;
    if (f->is_dir) return -VFS_EISDIR;
    if (off > INT64_MAX) return -VFS_EINVAL;
    if (n > MAX_IO) n = MAX_IO;
    ssize_t got;
    do got = pread(f->fd, buf, n, (off_t)off);
    while (got < 0 && errno == EINTR);
    return got < 0 ? -errno : got;
}

static int64_t hf_pwrite(vfs_file *vf, const void *buf, size_t n, uint64_t off) {
    host_file *f = (host_file *)vf;
    if (f->is_dir) return -VFS_EISDIR;
    if (off > INT64_MAX || n > INT64_MAX - off) return -VFS_EFBIG;
    if (n > MAX_IO) n = MAX_IO;
    ssize_t put;
    do put = pwrite(f->fd, buf, n, (off_t)off);
    while (put < 0 && errno == EINTR);
    return put < 0 ? -errno : put;
}

static int hf_fstat(vfs_file *vf, vfs_stat *st) {
    host_file *f = (host_file *)vf;
    struct stat s;
    if (fstat(f->fd, &s) != 0) return -errno;
    to_vfs_stat(&s, st);
    return 0;
}

/* The raw getdents64 record layout (the kernel's struct linux_dirent64). */
typedef struct {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
} linux_dirent64;

static int refill(host_file *f) {
    long n;
    do n = syscall(SYS_getdents64, f->fd, f->buf, DIRBUF_SIZE);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    f->len = (size_t)n;
    f->pos = 0;
    f->eof = n == 0;
    return 0;
}

/* Start the listing over (the guest rewound the directory). */
static int rewind_dir(host_file *f) {
    if (lseek(f->fd, 0, SEEK_SET) < 0) return -errno;
    f->next_index = 0;
    f->len = f->pos = 0;
    f->eof = false;
    return 0;
}

/* The next entry other than "." and "..", or NULL at the end / on error. */
static const linux_dirent64 *next_entry(host_file *f, int *err) {
    for (;;) {
        if (f->pos >= f->len) {
            if (f->eof) return NULL;
            if ((*err = refill(f)) != 0 || f->eof) return NULL;
        }
        const linux_dirent64 *d = (const linux_dirent64 *)(f->buf + f->pos);
        if (d->d_reclen == 0 || d->d_reclen > f->len - f->pos) {
            *err = -VFS_EIO;
            return NULL;
        }
        f->pos += d->d_reclen;
        if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) return d;
    }
}

static int hf_readdir(vfs_file *vf, uint64_t index, vfs_dirent *out) {
    host_file *f = (host_file *)vf;
    if (!f->is_dir) return -VFS_ENOTDIR;
    int err = 0;
    if (index < f->next_index && (err = rewind_dir(f)) != 0) return err;
    for (;;) {
        const linux_dirent64 *d = next_entry(f, &err);
        if (!d) return err;
        if (f->next_index++ < index) continue;
        size_t len = strnlen(d->d_name, VFS_NAME_MAX);
        memcpy(out->name, d->d_name, len);
        out->name[len] = '\0';
        out->ino = d->d_ino;
        out->type = d->d_type;
        return 1;
    }
}

static void hf_close(vfs_file *vf) {
    host_file *f = (host_file *)vf;
    close(f->fd);
    free(f);
}

static const vfs_file_ops host_file_ops = {hf_pread, hf_pwrite, hf_fstat, hf_readdir, hf_close};

/* Wrap fd (owned from now on) as a vfs file. */
static int wrap_fd(int fd, bool is_dir, vfs_file **out) {
    host_file *f = calloc(1, sizeof *f + (is_dir ? DIRBUF_SIZE : 0));
    if (!f) {
        close(fd);
        return -VFS_ENOMEM;
    }
    f->base.ops = &host_file_ops;
    f->fd = fd;
    f->is_dir = is_dir;
    *out = &f->base;
    return 0;
}

/* ---- backend: opening ------------------------------------------------------ */

static bool wants_write(int flags) {
    return (flags & VFS_O_ACCMODE) != VFS_O_RDONLY || (flags & (VFS_O_CREAT | VFS_O_TRUNC | VFS_O_APPEND));
}

/* Guest (musl generic) open flags to this host's numbering. */
static int host_flags(int flags) {
    int acc = flags & VFS_O_ACCMODE;
    int h = acc == VFS_O_WRONLY ? O_WRONLY : acc == VFS_O_RDWR ? O_RDWR : O_RDONLY;
    if (flags & VFS_O_CREAT) h |= O_CREAT;
    if (flags & VFS_O_EXCL) h |= O_EXCL;
    if (flags & VFS_O_TRUNC) h |= O_TRUNC;
    if (flags & VFS_O_APPEND) h |= O_APPEND;
    if (flags & VFS_O_DIRECTORY) h |= O_DIRECTORY;
    if (flags & VFS_O_NOFOLLOW) h |= O_NOFOLLOW;
    return h | O_NOCTTY | O_NONBLOCK;
}

/* Opening the single granted file: rel must be empty. */
static int open_single(hostdir *h, const char *rel, int flags, vfs_file **out) {
    if (*rel) return -VFS_ENOTDIR;
    if ((flags & VFS_O_CREAT) && (flags & VFS_O_EXCL)) return -VFS_EEXIST;
    if (flags & VFS_O_DIRECTORY) return -VFS_ENOTDIR;
    int fd = fcntl(h->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return -errno;
    if ((flags & VFS_O_TRUNC) && (flags & VFS_O_ACCMODE) != VFS_O_RDONLY && ftruncate(fd, 0) != 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return wrap_fd(fd, false, out);
}

/*
 * Look first (O_PATH): refuse what is neither a file nor a directory before
 * opening it for real. *existing tells whether there was anything.
 */
static int precheck(hostdir *h, const char *rel, int hflags, struct stat *before, bool *existing) {
    *existing = false;
    int fd = open_path(h, rel, hflags & O_NOFOLLOW);
    if (fd < 0) {
        int rc = resolve_error();
        /* ENOENT with O_CREAT: the real open creates it */
        return rc == -VFS_ENOENT && (hflags & O_CREAT) ? 0 : rc;
    }
    int rc = fstat(fd, before) == 0 ? 0 : -errno;
    close(fd);
    if (rc) return rc;
    *existing = true;
    if (S_ISLNK(before->st_mode)) return -VFS_ELOOP; /* O_NOFOLLOW on a symlink */
    if (!servable(before)) return -VFS_EACCES;
    if ((hflags & O_CREAT) && (hflags & O_EXCL)) return -VFS_EEXIST;
    return 0;
}

static int hd_open(void *self, const char *rel, int flags, uint32_t mode, vfs_file **out) {
    hostdir *h = self;
    if (wants_write(flags) && !h->writable) return -VFS_EACCES;
    if (h->is_file) return open_single(h, rel, flags, out);
    int hflags = host_flags(flags);
    struct stat before, after;
    bool existing;
    int rc = precheck(h, rel, hflags, &before, &existing);
    if (rc) return rc;
    int fd = sys_openat2(h->fd, *rel ? rel : ".", hflags, mode);
    if (fd < 0) return resolve_error();
    /* the same object we looked at (a concurrent rename could swap it), and
     * a regular file or directory if we just created it */
    if (fstat(fd, &after) != 0 || !servable(&after) ||
        (existing && (after.st_dev != before.st_dev || after.st_ino != before.st_ino))) {
        close(fd);
        return -VFS_EACCES;
    }
    return wrap_fd(fd, S_ISDIR(after.st_mode), out);
}

/* ---- backend: paths -------------------------------------------------------- */

static int hd_stat(void *self, const char *rel, bool follow, vfs_stat *st) {
    hostdir *h = self;
    struct stat s;
    if (h->is_file) {
        if (*rel) return -VFS_ENOTDIR;
        if (fstat(h->fd, &s) != 0) return -errno;
        to_vfs_stat(&s, st);
        return 0;
    }
    int rc = 0;
    if (follow || !*rel) {
        int fd = open_path(h, rel, 0);
        if (fd < 0) return resolve_error();
        if (fstat(fd, &s) != 0) rc = -errno;
        close(fd);
    } else {
        char parent[VFS_PATH_MAX];
        const char *name;
        int pfd = open_parent(h, rel, parent, &name);
        if (pfd < 0) return pfd;
        if (fstatat(pfd, name, &s, AT_SYMLINK_NOFOLLOW) != 0) rc = -errno;
        close(pfd);
    }
    if (rc == 0) to_vfs_stat(&s, st);
    return rc;
}

/* Run op on the parent of rel; the grant must be writable. */
typedef int (*at_op)(int pfd, const char *name, uint32_t arg);

static int on_parent(hostdir *h, const char *rel, at_op op, uint32_t arg) {
    if (h->is_file) return *rel ? -VFS_ENOTDIR : -VFS_EACCES;
    char parent[VFS_PATH_MAX];
    const char *name;
    int pfd = open_parent(h, rel, parent, &name);
    if (pfd < 0) return pfd;
    int rc = op(pfd, name, arg) == 0 ? 0 : -errno;
    close(pfd);
    return rc;
}

static int do_mkdir(int pfd, const char *name, uint32_t mode) { return mkdirat(pfd, name, (mode_t)(mode & 0777)); }
static int do_unlink(int pfd, const char *name, uint32_t arg) { return unlinkat(pfd, name, (int)arg); }
static int do_exists(int pfd, const char *name, uint32_t arg) {
    (void)arg;
    struct stat s;
    return fstatat(pfd, name, &s, AT_SYMLINK_NOFOLLOW);
}

/* A read-only grant: EEXIST/ENOENT where the answer is known, else EACCES. */
static int refuse_write(hostdir *h, const char *rel, bool mkdir) {
    int rc = on_parent(h, rel, do_exists, 0);
    if (mkdir) return rc == 0 ? -VFS_EEXIST : -VFS_EACCES;
    return rc == -VFS_ENOENT ? -VFS_ENOENT : -VFS_EACCES;
}

static int hd_mkdir(void *self, const char *rel, uint32_t mode) {
    hostdir *h = self;
    if (!h->writable) return refuse_write(h, rel, true);
    return on_parent(h, rel, do_mkdir, mode);
}

static int hd_unlink(void *self, const char *rel) {
    hostdir *h = self;
    if (!h->writable) return refuse_write(h, rel, false);
    return on_parent(h, rel, do_unlink, 0);
}

static int hd_rmdir(void *self, const char *rel) {
    hostdir *h = self;
    if (!h->writable) return refuse_write(h, rel, false);
    return on_parent(h, rel, do_unlink, AT_REMOVEDIR);
}

static int hd_rename(void *self, const char *from, const char *to) {
    hostdir *h = self;
    if (!h->writable) return refuse_write(h, from, false);
    if (h->is_file) return -VFS_EACCES;
    char p1[VFS_PATH_MAX], p2[VFS_PATH_MAX];
    const char *n1, *n2;
    int fd1 = open_parent(h, from, p1, &n1);
    if (fd1 < 0) return fd1;
    int fd2 = open_parent(h, to, p2, &n2);
    if (fd2 < 0) {
        close(fd1);
        return fd2;
    }
    int rc = renameat(fd1, n1, fd2, n2) == 0 ? 0 : -errno;
    close(fd1);
    close(fd2);
    return rc;
}

/* ---- lifetime ------------------------------------------------------------ */

/* Immutable after creation: every clone shares it. */
static void *hd_clone(void *self) {
    hostdir *h = self;
    atomic_fetch_add(&h->refs, 1);
    return h;
}

static void hd_release(void *self) {
    hostdir *h = self;
    if (atomic_fetch_sub(&h->refs, 1) != 1) return;
    close(h->fd);
    free(h);
}

const vfs_backend_ops vfs_hostdir_ops = {hd_open, hd_stat, hd_mkdir, hd_unlink, hd_rmdir, hd_rename, hd_clone, hd_release};

/* openat2 is the whole confinement: make sure this kernel has it. */
static bool have_openat2(int dirfd) {
    int fd = sys_openat2(dirfd, ".", O_PATH, 0);
    if (fd >= 0) close(fd);
    return fd >= 0;
}

hostdir *vfs_hostdir_new(const char *host_path, bool writable, char *err, size_t errsize) {
    int fd = open(host_path, O_PATH | O_CLOEXEC);
    struct stat s;
    if (fd < 0 || fstat(fd, &s) != 0) {
        snprintf(err, errsize, "cannot grant '%s': %s", host_path, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    bool is_file = !S_ISDIR(s.st_mode);
    if (is_file && !S_ISREG(s.st_mode)) {
        snprintf(err, errsize, "cannot grant '%s': not a regular file or a directory", host_path);
        close(fd);
        return NULL;
    }
    if (is_file) {
        /* keep the file itself open with the access the grant gives */
        close(fd);
        fd = open(host_path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &s) != 0 || !S_ISREG(s.st_mode)) {
            snprintf(err, errsize, "cannot grant '%s': %s", host_path, fd < 0 ? strerror(errno) : "it changed");
            if (fd >= 0) close(fd);
            return NULL;
        }
    } else if (!have_openat2(fd)) {
        snprintf(err, errsize,
                 "cannot grant '%s': this kernel does not offer openat2 (Linux 5.6 or later), "
                 "which airlock needs to confine the guest to a directory",
                 host_path);
        close(fd);
        return NULL;
    }
    hostdir *h = malloc(sizeof *h);
    if (!h) {
        snprintf(err, errsize, "out of memory");
        close(fd);
        return NULL;
    }
    atomic_init(&h->refs, 1);
    h->fd = fd;
    h->writable = writable;
    h->is_file = is_file;
    return h;
}
