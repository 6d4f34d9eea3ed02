/*
 * device.c - /dev/airlock: host calls for a guest without the js bridge
 * (the CPython guest).
 *
 * The guest's _airlock_link writes one encoded call (codec.h) to the
 * device with a single write and reads the tagged answer back until a
 * short read; host_call_serve does everything else, exactly as for the
 * MicroPython guest's slot. The write is read in place (the vfs hands over
 * the guest's own buffer, already bounds-checked) and capped by the
 * registry's max-arg-bytes before it is decoded; whatever the guest
 * writes, the answer is a value or an error text that _airlock_host
 * raises, never a fault.
 *
 * The device opens only while the host modules are installed (vm->host_boot)
 * and is unmounted afterwards: the descriptor the link keeps is the only
 * one there is. The answer lives in the calling vm's host_buf, so the
 * device itself holds no state but a read cursor.
 */
#include <stdlib.h>
#include <string.h>

#include "plugins/host.h"

typedef struct device_file {
    vfs_file base;
    size_t cursor;  /* how much of the answer was read */
} device_file;

static int64_t device_pwrite(vfs_file *f, const void *buf, size_t n, uint64_t off) {
    (void)off; /* every write is one whole call */
    airlock_vm *vm = vm_current();
    if (!vm) return -VFS_EIO;
    ((device_file *)f)->cursor = 0;
    if (host_call_serve(vm, buf, n, NULL) == HOST_SERVED_NOMEM) return -VFS_ENOMEM;
    return (int64_t)n;
}

static int64_t device_pread(vfs_file *f, void *buf, size_t n, uint64_t off) {
    (void)off;
    airlock_vm *vm = vm_current();
    device_file *d = (device_file *)f;
    const codec_buf *answer = vm ? vm->host_buf : NULL;
    if (!answer || d->cursor >= answer->len) return 0;
    size_t k = answer->len - d->cursor < n ? answer->len - d->cursor : n;
    memcpy(buf, answer->data + d->cursor, k);
    d->cursor += k;
    return (int64_t)k;
}

static int device_fstat(vfs_file *f, vfs_stat *st) {
    (void)f;
    *st = (vfs_stat){.mode = VFS_S_IFREG | 0600};
    return 0;
}

static int device_readdir(vfs_file *f, uint64_t index, vfs_dirent *out) {
    (void)f, (void)index, (void)out;
    return -VFS_ENOTDIR;
}

static void device_close(vfs_file *f) { free(f); }

static const vfs_file_ops device_file_ops = {device_pread, device_pwrite, device_fstat, device_readdir, device_close};

static int device_open(void *self, const char *rel, int flags, uint32_t mode, vfs_file **out) {
    (void)self, (void)mode;
    const airlock_vm *vm = vm_current();
    if (rel[0]) return -VFS_ENOENT;
    if (!vm || !vm->host_boot) return -VFS_EACCES;
    if ((flags & VFS_O_ACCMODE) != VFS_O_RDWR || (flags & VFS_O_DIRECTORY)) return -VFS_EINVAL;
    device_file *d = calloc(1, sizeof *d);
    if (!d) return -VFS_ENOMEM;
    d->base.ops = &device_file_ops;
    *out = &d->base;
    return 0;
}

static int device_stat(void *self, const char *rel, bool follow, vfs_stat *st) {
    (void)self, (void)follow;
    if (rel[0]) return -VFS_ENOENT;
    return device_fstat(NULL, st);
}

static int device_refuse(void *self, const char *rel, uint32_t mode) {
    (void)self, (void)rel, (void)mode;
    return -VFS_EACCES;
}

static int device_refuse_path(void *self, const char *rel) { return device_refuse(self, rel, 0); }

static int device_refuse_rename(void *self, const char *from, const char *to) {
    (void)to;
    return device_refuse(self, from, 0);
}

/* Stateless: a clone is the same device, and nothing is freed. */
static void *device_clone(void *self) { return self; }
static void device_release(void *self) { (void)self; }

static const vfs_backend_ops device_ops = {
    device_open,        device_stat,           device_refuse, device_refuse_path, device_refuse_path,
    device_refuse_rename, device_clone, device_release,
};

static char device_self; /* any non-NULL pointer: vfs_clone reads NULL as out of memory */

int host_device_mount(vfs *v) { return vfs_mount_internal(v, HOST_DEVICE_PATH, &device_ops, &device_self); }
