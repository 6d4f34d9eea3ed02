/*
 * syscalls.c - Emscripten's __syscall_* file calls, answered by the vfs.
 *
 * Each call validates the guest's pointers, copies the path out of guest
 * memory (bounded by VFS_PATH_MAX) and returns 0/a result or -errno, in the
 * guest's errno numbering.
 */
#include <string.h>

#include "runtime/vm.h"
#include "vfs/vfs.h"

#define AT_FDCWD_GUEST (-100)
#define AT_REMOVEDIR_GUEST 0x200
#define AT_SYMLINK_NOFOLLOW_GUEST 0x100
#define STAT_SIZE 96u
#define DIRENT_SIZE 280u

/* Copy the guest string at addr into buf; 0 or -errno. */
static int guest_path(airlock_vm *vm, u32 addr, char buf[VFS_PATH_MAX]) {
    int64_t len = vm_strlen(vm, addr, VFS_PATH_MAX - 1);
    if (len < 0) return vm_strlen(vm, addr, UINT32_MAX - 1) < 0 ? -VFS_EINVAL : -VFS_ENAMETOOLONG;
    memcpy(buf, vm_ptr(vm, addr, (uint64_t)len), (size_t)len);
    buf[len] = '\0';
    return 0;
}

/* Only paths relative to the working directory (or absolute) are served:
 * the guest has no directory descriptors worth resolving against. */
static int guest_path_at(airlock_vm *vm, u32 dirfd, u32 addr, char buf[VFS_PATH_MAX]) {
    int rc = guest_path(vm, addr, buf);
    if (rc) return rc;
    if (buf[0] != '/' && (int32_t)dirfd != AT_FDCWD_GUEST) return -VFS_ENOSYS;
    return 0;
}

static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Write an Emscripten struct stat (96 bytes) at buf. */
static u32 write_stat(airlock_vm *vm, u32 buf, int rc, const vfs_stat *st) {
    if (rc < 0) return (u32)rc;
    uint8_t *p = vm_ptr(vm, buf, STAT_SIZE);
    if (!p) return (u32)-VFS_EINVAL;
    memset(p, 0, STAT_SIZE);
    put_u32(p + 0, 1);                       /* st_dev */
    put_u32(p + 4, st->mode);
    put_u32(p + 8, 1);                       /* st_nlink */
    put_u64(p + 24, st->size);
    put_u32(p + 32, 4096);                   /* st_blksize */
    put_u32(p + 36, (uint32_t)((st->size + 511) / 512));
    put_u64(p + 40, (uint64_t)st->mtime_s);  /* atime */
    put_u64(p + 56, (uint64_t)st->mtime_s);  /* mtime */
    put_u64(p + 72, (uint64_t)st->mtime_s);  /* ctime */
    put_u64(p + 88, st->ino);
    return 0;
}

static u32 stat_path(airlock_vm *vm, u32 path, u32 buf, bool follow) {
    char p[VFS_PATH_MAX];
    vfs_stat st;
    int rc = guest_path(vm, path, p);
    if (!rc) rc = vfs_stat_path(vm->vfs, p, follow, &st);
    return write_stat(vm, buf, rc, &st);
}

u32 Z_envZ___syscall_stat64(struct Z_env_instance_t *env, u32 path, u32 buf) {
    return stat_path(VM_OF(env), path, buf, true);
}

u32 Z_envZ___syscall_lstat64(struct Z_env_instance_t *env, u32 path, u32 buf) {
    return stat_path(VM_OF(env), path, buf, false);
}

u32 Z_envZ___syscall_fstat64(struct Z_env_instance_t *env, u32 fd, u32 buf) {
    airlock_vm *vm = VM_OF(env);
    vfs_stat st = {0};
    int rc = 0;
    if (fd <= 2)
        st.mode = 0020000 | 0600; /* a character device, like a terminal */
    else
        rc = vfs_fstat(vm->vfs, (int)fd, &st);
    return write_stat(vm, buf, rc, &st);
}

u32 Z_envZ___syscall_newfstatat(struct Z_env_instance_t *env, u32 dirfd, u32 path, u32 buf, u32 flags) {
    airlock_vm *vm = VM_OF(env);
    char p[VFS_PATH_MAX];
    vfs_stat st;
    int rc = guest_path_at(vm, dirfd, path, p);
    if (!rc) rc = vfs_stat_path(vm->vfs, p, !(flags & AT_SYMLINK_NOFOLLOW_GUEST), &st);
    return write_stat(vm, buf, rc, &st);
}

u32 Z_envZ___syscall_openat(struct Z_env_instance_t *env, u32 dirfd, u32 path, u32 flags, u32 varargs) {
    airlock_vm *vm = VM_OF(env);
    char p[VFS_PATH_MAX];
    int rc = guest_path_at(vm, dirfd, path, p);
    if (rc) return (u32)rc;
    uint32_t mode = 0666;
    if ((flags & VFS_O_CREAT) && !vm_load_u32(vm, varargs, &mode)) return (u32)-VFS_EINVAL;
    return (u32)vfs_open(vm->vfs, p, (int)flags, mode);
}

u32 Z_envZ___syscall_getdents64(struct Z_env_instance_t *env, u32 fd, u32 dirp, u32 count) {
    airlock_vm *vm = VM_OF(env);
    if (!vm_ptr(vm, dirp, count)) return (u32)-VFS_EINVAL;
    u32 pos = 0;
    while (pos + DIRENT_SIZE <= count) {
        vfs_dirent de;
        int rc = vfs_readdir(vm->vfs, (int)fd, &de);
        if (rc < 0) return pos ? pos : (u32)rc;
        if (rc == 0) break;
        uint8_t *p = vm_ptr(vm, dirp + pos, DIRENT_SIZE);
        memset(p, 0, DIRENT_SIZE);
        put_u64(p, de.ino);
        put_u64(p + 8, (uint64_t)(pos + DIRENT_SIZE));
        uint16_t reclen = DIRENT_SIZE;
        memcpy(p + 16, &reclen, 2);
        p[18] = de.type;
        memcpy(p + 19, de.name, strlen(de.name) + 1);
        pos += DIRENT_SIZE;
    }
    if (pos == 0 && count < DIRENT_SIZE) return (u32)-VFS_EINVAL;
    return pos;
}

u32 Z_envZ___syscall_mkdirat(struct Z_env_instance_t *env, u32 dirfd, u32 path, u32 mode) {
    airlock_vm *vm = VM_OF(env);
    char p[VFS_PATH_MAX];
    int rc = guest_path_at(vm, dirfd, path, p);
    return (u32)(rc ? rc : vfs_mkdir(vm->vfs, p, mode));
}

u32 Z_envZ___syscall_unlinkat(struct Z_env_instance_t *env, u32 dirfd, u32 path, u32 flags) {
    airlock_vm *vm = VM_OF(env);
    char p[VFS_PATH_MAX];
    int rc = guest_path_at(vm, dirfd, path, p);
    if (rc) return (u32)rc;
    return (u32)((flags & AT_REMOVEDIR_GUEST) ? vfs_rmdir(vm->vfs, p) : vfs_unlink(vm->vfs, p));
}

u32 Z_envZ___syscall_rmdir(struct Z_env_instance_t *env, u32 path) {
    airlock_vm *vm = VM_OF(env);
    char p[VFS_PATH_MAX];
    int rc = guest_path(vm, path, p);
    return (u32)(rc ? rc : vfs_rmdir(vm->vfs, p));
}

u32 Z_envZ___syscall_renameat(struct Z_env_instance_t *env, u32 olddirfd, u32 oldpath, u32 newdirfd, u32 newpath) {
    airlock_vm *vm = VM_OF(env);
    char from[VFS_PATH_MAX], to[VFS_PATH_MAX];
    int rc = guest_path_at(vm, olddirfd, oldpath, from);
    if (!rc) rc = guest_path_at(vm, newdirfd, newpath, to);
    return (u32)(rc ? rc : vfs_rename(vm->vfs, from, to));
}

u32 Z_envZ___syscall_chdir(struct Z_env_instance_t *env, u32 path) {
    airlock_vm *vm = VM_OF(env);
    char p[VFS_PATH_MAX];
    int rc = guest_path(vm, path, p);
    return (u32)(rc ? rc : vfs_chdir(vm->vfs, p));
}

u32 Z_envZ___syscall_getcwd(struct Z_env_instance_t *env, u32 buf, u32 size) {
    airlock_vm *vm = VM_OF(env);
    const char *cwd = vfs_getcwd(vm->vfs);
    size_t need = strlen(cwd) + 1;
    if (size == 0) return (u32)-VFS_EINVAL;
    if (need > size) return (u32)-VFS_ERANGE;
    uint8_t *p = vm_ptr(vm, buf, need);
    if (!p) return (u32)-VFS_EINVAL;
    memcpy(p, cwd, need);
    return (u32)need;
}

u32 Z_envZ___syscall_statfs64(struct Z_env_instance_t *env, u32 path, u32 size, u32 buf) {
    airlock_vm *vm = VM_OF(env);
    char p[VFS_PATH_MAX];
    vfs_stat st;
    int rc = guest_path(vm, path, p);
    if (!rc) rc = vfs_stat_path(vm->vfs, p, true, &st);
    if (rc) return (u32)rc;
    uint8_t *out = vm_ptr(vm, buf, size);
    if (!out || size < 72) return (u32)-VFS_EINVAL;
    memset(out, 0, size);
    put_u32(out + 4, 4096);  /* f_bsize */
    put_u32(out + 56, 255);  /* f_namelen */
    put_u32(out + 60, 4096); /* f_frsize */
    return 0;
}

/* struct pollfd {int fd; short events; short revents;}: stdio is always
 * ready, vfs files are always ready, anything else is invalid. */
u32 Z_envZ___syscall_poll(struct Z_env_instance_t *env, u32 fds, u32 nfds, u32 timeout) {
    (void)timeout;
    airlock_vm *vm = VM_OF(env);
    if (nfds > VFS_MAX_FDS || !vm_ptr(vm, fds, (uint64_t)nfds * 8)) return (u32)-VFS_EINVAL;
    u32 ready = 0;
    for (u32 i = 0; i < nfds; i++) {
        uint8_t *p = vm_ptr(vm, fds + i * 8, 8);
        int32_t fd;
        int16_t events, revents;
        memcpy(&fd, p, 4);
        memcpy(&events, p + 4, 2);
        bool valid = (fd >= 0 && fd <= 2) || vfs_fd_valid(vm->vfs, fd);
        revents = valid ? (int16_t)(events & (0x001 | 0x004)) : 0x020; /* POLLIN|POLLOUT : POLLNVAL */
        memcpy(p + 6, &revents, 2);
        if (revents) ready++;
    }
    return ready;
}
