/*
 * fs.c - the CPython guest's file and descriptor imports.
 *
 * The calls both guests have (open, stat, getdents, fd_read, ...) are
 * answered by the MicroPython guest's implementations in src/abi/, which
 * validate every guest pointer and go through the vfs; only their errno
 * numbering differs, so each is wrapped here and its error translated. The
 * calls only this guest makes follow, on the same vfs. Everything a sandbox
 * cannot have (sockets, pipes, ownership, links) fails with the errno a
 * POSIX system gives for it, so Python raises a clean OSError.
 */
#include <string.h>

#include "cpython_vm.h"
#include "vfs/vfs.h"

/* Linux errno -> WASI errno, for the values the vfs and the imports use. */
uint32_t cpython_errno(int e) {
    switch (e) {
    case 0: return 0;
    case VFS_EPERM: return 63;
    case VFS_ENOENT: return 44;
    case VFS_EIO: return 29;
    case VFS_EBADF: return 8;
    case VFS_ENOMEM: return 48;
    case VFS_EACCES: return 2;
    case VFS_EEXIST: return 20;
    case VFS_EXDEV: return 75;
    case VFS_ENOTDIR: return 54;
    case VFS_EISDIR: return 31;
    case VFS_EINVAL: return 28;
    case VFS_EMFILE: return 33;
    case VFS_EFBIG: return 22;
    case VFS_ENOSPC: return 51;
    case VFS_ESPIPE: return 70;
    case VFS_EROFS: return 69;
    case VFS_ERANGE: return 68;
    case VFS_ENAMETOOLONG: return 37;
    case VFS_ENOSYS: return 52;
    case VFS_ENOTEMPTY: return 55;
    case VFS_ELOOP: return 32;
    default: return 29; /* EIO: a value this table misses is an airlock bug */
    }
}

/* WASI numbers of errors only this file returns. */
enum { PY_ENOTTY = 59, PY_ENOTSUP = 58, PY_EOPNOTSUPP = 58 };

/* A syscall result: a value, or -errno in the vfs's numbering. */
static u32 sys_result(u32 r) {
    int32_t v = (int32_t)r;
    return v < 0 ? (u32)-(int32_t)cpython_errno(-v) : r;
}

static u32 fail(uint32_t wasi_errno) { return (u32) - (int32_t)wasi_errno; }

#define ENV(env) ((struct Z_env_instance_t *)(void *)(env))
#define WASI(w) ((struct Z_wasi_snapshot_preview1_instance_t *)(void *)(w))

/* ---- shared with the MicroPython guest: errno translated ---------------- */

u32 Z_pyenvZ___syscall_openat(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 flags, u32 varargs) {
    return sys_result(Z_envZ___syscall_openat(ENV(env), dirfd, path, flags, varargs));
}
u32 Z_pyenvZ___syscall_stat64(struct Z_pyenv_instance_t *env, u32 path, u32 buf) {
    return sys_result(Z_envZ___syscall_stat64(ENV(env), path, buf));
}
u32 Z_pyenvZ___syscall_lstat64(struct Z_pyenv_instance_t *env, u32 path, u32 buf) {
    return sys_result(Z_envZ___syscall_lstat64(ENV(env), path, buf));
}
u32 Z_pyenvZ___syscall_fstat64(struct Z_pyenv_instance_t *env, u32 fd, u32 buf) {
    return sys_result(Z_envZ___syscall_fstat64(ENV(env), fd, buf));
}
u32 Z_pyenvZ___syscall_newfstatat(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 buf, u32 flags) {
    return sys_result(Z_envZ___syscall_newfstatat(ENV(env), dirfd, path, buf, flags));
}
u32 Z_pyenvZ___syscall_getdents64(struct Z_pyenv_instance_t *env, u32 fd, u32 dirp, u32 count) {
    return sys_result(Z_envZ___syscall_getdents64(ENV(env), fd, dirp, count));
}
u32 Z_pyenvZ___syscall_mkdirat(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 mode) {
    return sys_result(Z_envZ___syscall_mkdirat(ENV(env), dirfd, path, mode));
}
u32 Z_pyenvZ___syscall_unlinkat(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 flags) {
    return sys_result(Z_envZ___syscall_unlinkat(ENV(env), dirfd, path, flags));
}
u32 Z_pyenvZ___syscall_rmdir(struct Z_pyenv_instance_t *env, u32 path) {
    return sys_result(Z_envZ___syscall_rmdir(ENV(env), path));
}
u32 Z_pyenvZ___syscall_renameat(struct Z_pyenv_instance_t *env, u32 olddirfd, u32 oldpath, u32 newdirfd,
                                u32 newpath) {
    return sys_result(Z_envZ___syscall_renameat(ENV(env), olddirfd, oldpath, newdirfd, newpath));
}
u32 Z_pyenvZ___syscall_chdir(struct Z_pyenv_instance_t *env, u32 path) {
    return sys_result(Z_envZ___syscall_chdir(ENV(env), path));
}
u32 Z_pyenvZ___syscall_getcwd(struct Z_pyenv_instance_t *env, u32 buf, u32 size) {
    return sys_result(Z_envZ___syscall_getcwd(ENV(env), buf, size));
}
u32 Z_pyenvZ___syscall_statfs64(struct Z_pyenv_instance_t *env, u32 path, u32 size, u32 buf) {
    return sys_result(Z_envZ___syscall_statfs64(ENV(env), path, size, buf));
}

u32 Z_pywasiZ_fd_write(struct Z_pywasi_instance_t *w, u32 fd, u32 iovs, u32 n, u32 nwritten) {
    return cpython_errno((int)Z_wasi_snapshot_preview1Z_fd_write(WASI(w), fd, iovs, n, nwritten));
}
u32 Z_pywasiZ_fd_read(struct Z_pywasi_instance_t *w, u32 fd, u32 iovs, u32 n, u32 nread) {
    return cpython_errno((int)Z_wasi_snapshot_preview1Z_fd_read(WASI(w), fd, iovs, n, nread));
}
u32 Z_pywasiZ_fd_seek(struct Z_pywasi_instance_t *w, u32 fd, u64 offset, u32 whence, u32 newoffset) {
    return cpython_errno((int)Z_wasi_snapshot_preview1Z_fd_seek(WASI(w), fd, offset, whence, newoffset));
}
u32 Z_pywasiZ_fd_close(struct Z_pywasi_instance_t *w, u32 fd) {
    if (cpython_net_owns(PYVM(w), fd)) {
        cpython_net_close(PYVM(w), fd);
        return 0;
    }
    return cpython_errno((int)Z_wasi_snapshot_preview1Z_fd_close(WASI(w), fd));
}
u32 Z_pywasiZ_fd_sync(struct Z_pywasi_instance_t *w, u32 fd) {
    return cpython_errno((int)Z_wasi_snapshot_preview1Z_fd_sync(WASI(w), fd));
}

/* ---- descriptors --------------------------------------------------------- */

static bool fd_known(airlock_vm *vm, u32 fd) {
    return fd <= 2 || vfs_fd_valid(vm->vfs, (int)fd) || cpython_net_owns(vm, fd);
}

/* struct __wasi_fdstat_t: u8 filetype, u16 flags, u64 rights base and
 * inheriting. Emscripten's libc takes a character device here for a
 * terminal; stdio is reported as of unknown type, so nothing is a tty
 * (plain tracebacks, block-buffered stdout flushed after each run). */
u32 Z_pywasiZ_fd_fdstat_get(struct Z_pywasi_instance_t *w, u32 fd, u32 out) {
    airlock_vm *vm = PYVM(w);
    uint8_t *p = vm_ptr(vm, out, 24);
    if (!p) return cpython_errno(VFS_EINVAL);
    uint8_t type = 0;
    if (fd > 2) {
        vfs_stat st;
        int rc = vfs_fstat(vm->vfs, (int)fd, &st);
        if (rc < 0) return cpython_errno(-rc);
        type = (st.mode & VFS_S_IFDIR) == VFS_S_IFDIR ? 3 : 4;
    }
    memset(p, 0, 24);
    p[0] = type;
    uint64_t rights = ~0ull;
    memcpy(p + 8, &rights, 8);
    memcpy(p + 16, &rights, 8);
    return 0;
}

/* Positioned I/O as seek, transfer, seek back (the vfs keeps one offset). */
static u32 positioned(struct Z_pywasi_instance_t *w, u32 fd, u32 iovs, u32 n, u64 offset, u32 done, bool write) {
    airlock_vm *vm = PYVM(w);
    if (fd <= 2) return cpython_errno(VFS_ESPIPE);
    int64_t here = vfs_seek(vm->vfs, (int)fd, 0, 1);
    if (here < 0) return cpython_errno((int)-here);
    int64_t at = vfs_seek(vm->vfs, (int)fd, (int64_t)offset, 0);
    if (at < 0) return cpython_errno((int)-at);
    u32 rc = write ? Z_pywasiZ_fd_write(w, fd, iovs, n, done) : Z_pywasiZ_fd_read(w, fd, iovs, n, done);
    vfs_seek(vm->vfs, (int)fd, here, 0);
    return rc;
}

u32 Z_pywasiZ_fd_pread(struct Z_pywasi_instance_t *w, u32 fd, u32 iovs, u32 n, u64 offset, u32 nread) {
    return positioned(w, fd, iovs, n, offset, nread, false);
}
u32 Z_pywasiZ_fd_pwrite(struct Z_pywasi_instance_t *w, u32 fd, u32 iovs, u32 n, u64 offset, u32 nwritten) {
    return positioned(w, fd, iovs, n, offset, nwritten, true);
}

/* fcntl: descriptor flags are accepted and ignored (there is no exec to
 * close them on); file status reads back as open for reading and writing;
 * duplicating is refused (one offset per file in the vfs). */
static u32 fcntl_for(airlock_vm *vm, u32 fd, u32 cmd, u32 arg) {
    if (!fd_known(vm, fd)) return fail(cpython_errno(VFS_EBADF));
    if (cpython_net_owns(vm, fd) && (cmd == 3 || cmd == 4)) /* a socket's O_NONBLOCK */
        return cpython_net_flags(vm, fd, cmd == 4 ? (int)(arg & 04000) : -1);
    switch (cmd) {
    case 1: /* F_GETFD */
    case 2: /* F_SETFD */
    case 4: /* F_SETFL */
        return 0;
    case 3: /* F_GETFL */
        return VFS_O_RDWR;
    default:
        return fail(cpython_errno(VFS_EINVAL));
    }
}

/* fcntl(fd, cmd, ...): the argument is the first word of the varargs. */
u32 Z_pyenvZ___syscall_fcntl64(struct Z_pyenv_instance_t *env, u32 fd, u32 cmd, u32 varargs) {
    uint32_t arg = 0;
    if (cmd == 4 && !vm_load_u32(PYVM(env), varargs, &arg)) return fail(cpython_errno(VFS_EINVAL));
    return fcntl_for(PYVM(env), fd, cmd, arg);
}

/* Pyodide's hook ahead of every fcntl, _try_fcntl64(fd, cmd, varargs,
 * int *result), for its JavaScript file systems: nonzero means handled,
 * with the answer in *result. Never here: the guest goes on to
 * __syscall_fcntl64 above. (Answering here once set a socket's O_NONBLOCK
 * from the bits of the varargs pointer, and read F_GETFL as 0.) */
u32 Z_pyenvZ__try_fcntl64(struct Z_pyenv_instance_t *env, u32 fd, u32 cmd, u32 varargs, u32 result) {
    (void)env, (void)fd, (void)cmd, (void)varargs, (void)result;
    return 0;
}

/* No descriptor is a terminal; sockets take FIONBIO. */
u32 Z_pyenvZ___syscall_ioctl(struct Z_pyenv_instance_t *env, u32 fd, u32 request, u32 varargs) {
    airlock_vm *vm = PYVM(env);
    if (cpython_net_owns(vm, fd)) return cpython_net_ioctl(vm, fd, request, varargs);
    return fd_known(vm, fd) ? fail(PY_ENOTTY) : fail(cpython_errno(VFS_EBADF));
}

u32 Z_pyenvZ___syscall_dup(struct Z_pyenv_instance_t *env, u32 fd) {
    return fd_known(PYVM(env), fd) ? fail(cpython_errno(VFS_EMFILE)) : fail(cpython_errno(VFS_EBADF));
}

u32 Z_pyenvZ___syscall_dup3(struct Z_pyenv_instance_t *env, u32 fd, u32 newfd, u32 flags) {
    (void)newfd, (void)flags;
    return Z_pyenvZ___syscall_dup(env, fd);
}

u32 Z_pyenvZ___syscall_fdatasync(struct Z_pyenv_instance_t *env, u32 fd) {
    return fd_known(PYVM(env), fd) ? 0 : fail(cpython_errno(VFS_EBADF));
}

u32 Z_pyenvZ___syscall_fchdir(struct Z_pyenv_instance_t *env, u32 fd) {
    return fd_known(PYVM(env), fd) ? fail(cpython_errno(VFS_ENOSYS)) : fail(cpython_errno(VFS_EBADF));
}

u32 Z_pyenvZ___syscall_fstatfs64(struct Z_pyenv_instance_t *env, u32 fd, u32 size, u32 buf) {
    airlock_vm *vm = PYVM(env);
    if (!fd_known(vm, fd)) return fail(cpython_errno(VFS_EBADF));
    uint8_t *out = vm_ptr(vm, buf, size);
    if (!out || size < 72) return fail(cpython_errno(VFS_EINVAL));
    memset(out, 0, size);
    uint32_t bsize = 4096, namelen = 255;
    memcpy(out + 4, &bsize, 4);
    memcpy(out + 56, &namelen, 4);
    memcpy(out + 60, &bsize, 4);
    return 0;
}

u32 Z_pyenvZ___syscall_fadvise64(struct Z_pyenv_instance_t *env, u32 fd, u64 offset, u64 len, u32 advice) {
    (void)offset, (void)len, (void)advice;
    return Z_pyenvZ___syscall_fdatasync(env, fd);
}

u32 Z_pyenvZ___syscall_fallocate(struct Z_pyenv_instance_t *env, u32 fd, u32 mode, u64 offset, u64 len) {
    (void)mode, (void)offset, (void)len;
    return fd_known(PYVM(env), fd) ? fail(PY_EOPNOTSUPP) : fail(cpython_errno(VFS_EBADF));
}

/* ---- paths ----------------------------------------------------------------- */

#define AT_FDCWD_GUEST (-100)

/* The path at addr, copied out and checked, relative paths only against
 * the working directory; 0 or a WASI errno. */
static uint32_t guest_path(airlock_vm *vm, u32 dirfd, u32 addr, char out[VFS_PATH_MAX]) {
    int64_t len = vm_strlen(vm, addr, VFS_PATH_MAX - 1);
    if (len < 0) return cpython_errno(vm_strlen(vm, addr, UINT32_MAX - 1) < 0 ? VFS_EINVAL : VFS_ENAMETOOLONG);
    memcpy(out, vm_ptr(vm, addr, (uint64_t)len), (size_t)len);
    out[len] = '\0';
    if (out[0] != '/' && (int32_t)dirfd != AT_FDCWD_GUEST) return cpython_errno(VFS_ENOSYS);
    return 0;
}

/* Stat the path; 0 or a WASI errno. */
static uint32_t path_stat(airlock_vm *vm, u32 dirfd, u32 addr, vfs_stat *st) {
    char p[VFS_PATH_MAX];
    uint32_t err = guest_path(vm, dirfd, addr, p);
    if (err) return err;
    int rc = vfs_stat_path(vm->vfs, p, true, st);
    return rc < 0 ? cpython_errno(-rc) : 0;
}

/* access(2): existence, and write access where the mode has a write bit. */
u32 Z_pyenvZ___syscall_faccessat(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 amode, u32 flags) {
    (void)flags;
    vfs_stat st;
    uint32_t err = path_stat(PYVM(env), dirfd, path, &st);
    if (err) return fail(err);
    if ((amode & 2) && !(st.mode & 0222)) return fail(cpython_errno(VFS_EACCES)); /* W_OK */
    return 0;
}

/* The vfs has no symbolic links: readlink of anything that exists is EINVAL. */
u32 Z_pyenvZ___syscall_readlinkat(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 buf, u32 size) {
    (void)buf, (void)size;
    vfs_stat st;
    uint32_t err = path_stat(PYVM(env), dirfd, path, &st);
    return fail(err ? err : cpython_errno(VFS_EINVAL));
}

/* Permissions, ownership, times, links and truncation are not the
 * sandbox's to change: EPERM for what exists, its error otherwise. */
static u32 not_permitted(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path) {
    vfs_stat st;
    uint32_t err = path_stat(PYVM(env), dirfd, path, &st);
    return fail(err ? err : cpython_errno(VFS_EPERM));
}

u32 Z_pyenvZ___syscall_chmod(struct Z_pyenv_instance_t *env, u32 path, u32 mode) {
    (void)mode;
    return not_permitted(env, (u32)AT_FDCWD_GUEST, path);
}
u32 Z_pyenvZ___syscall_fchmodat2(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 mode, u32 flags) {
    (void)mode, (void)flags;
    return not_permitted(env, dirfd, path);
}
u32 Z_pyenvZ___syscall_fchownat(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 owner, u32 group,
                                u32 flags) {
    (void)owner, (void)group, (void)flags;
    return not_permitted(env, dirfd, path);
}
u32 Z_pyenvZ___syscall_utimensat(struct Z_pyenv_instance_t *env, u32 dirfd, u32 path, u32 times, u32 flags) {
    (void)times, (void)flags;
    return not_permitted(env, dirfd, path);
}
u32 Z_pyenvZ___syscall_truncate64(struct Z_pyenv_instance_t *env, u32 path, u64 length) {
    (void)length;
    return not_permitted(env, (u32)AT_FDCWD_GUEST, path);
}
u32 Z_pyenvZ___syscall_symlinkat(struct Z_pyenv_instance_t *env, u32 target, u32 dirfd, u32 path) {
    (void)target, (void)dirfd, (void)path;
    (void)env;
    return fail(cpython_errno(VFS_EPERM));
}

static u32 fd_not_permitted(struct Z_pyenv_instance_t *env, u32 fd) {
    return fd_known(PYVM(env), fd) ? fail(cpython_errno(VFS_EPERM)) : fail(cpython_errno(VFS_EBADF));
}
u32 Z_pyenvZ___syscall_fchmod(struct Z_pyenv_instance_t *env, u32 fd, u32 mode) {
    (void)mode;
    return fd_not_permitted(env, fd);
}
u32 Z_pyenvZ___syscall_fchown32(struct Z_pyenv_instance_t *env, u32 fd, u32 owner, u32 group) {
    (void)owner, (void)group;
    return fd_not_permitted(env, fd);
}
u32 Z_pyenvZ___syscall_ftruncate64(struct Z_pyenv_instance_t *env, u32 fd, u64 length) {
    (void)length;
    return fd_not_permitted(env, fd);
}

/* ---- memory-mapped files: not available (anonymous maps are malloc) ------- */

u32 Z_pyenvZ__mmap_js(struct Z_pyenv_instance_t *env, u32 len, u32 prot, u32 flags, u32 fd, u64 offset, u32 allocated,
                      u32 addr) {
    (void)env, (void)len, (void)prot, (void)flags, (void)fd, (void)offset, (void)allocated, (void)addr;
    return fail(43); /* ENODEV: this file cannot be mapped */
}
u32 Z_pyenvZ__munmap_js(struct Z_pyenv_instance_t *env, u32 addr, u32 len, u32 prot, u32 flags, u32 fd,
                        u64 offset) {
    (void)env, (void)addr, (void)len, (void)prot, (void)flags, (void)fd, (void)offset;
    return fail(cpython_errno(VFS_EINVAL));
}
u32 Z_pyenvZ__msync_js(struct Z_pyenv_instance_t *env, u32 addr, u32 len, u32 prot, u32 flags, u32 fd, u64 offset) {
    (void)env, (void)addr, (void)len, (void)prot, (void)flags, (void)fd, (void)offset;
    return fail(cpython_errno(VFS_EINVAL));
}
