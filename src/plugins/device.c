/*
 * device.c - the host-call device: host calls for a guest without the js
 * bridge (the CPython guest, guest_ops.host_device).
 *
 * The device is no file anywhere in the guest's tree: it is a descriptor,
 * HOST_DEVICE_FD, that the host installs in every such vm's vfs (fresh,
 * booted, cloned or loaded: host_attach_vm), so the number baked into the
 * guest's _airlock_link at boot holds in every vm made from that boot. The
 * link writes one encoded call (codec.h) with a single write and reads the
 * tagged answer back until a short read; host_call_serve does everything
 * else, exactly as for the MicroPython guest's slot. The write is read in
 * place (the vfs hands over the guest's own buffer, already
 * bounds-checked) and capped by the registry's max-arg-bytes before it is
 * decoded; whatever the guest writes, the answer is a value or an error
 * text that _airlock_host raises, never a fault. The answer lives in the
 * calling vm's host_buf: the device holds nothing but a read cursor.
 */
#include <stdlib.h>
#include <string.h>

#include "guests/guest.h"
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

static const vfs_file_ops device_ops = {device_pread, device_pwrite, device_fstat, device_readdir, device_close};

int host_device_attach(airlock_vm *vm) {
    if (!vm->guest->host_device || vfs_fd_valid(vm->vfs, HOST_DEVICE_FD)) return 0;
    device_file *d = calloc(1, sizeof *d);
    if (!d) return -VFS_ENOMEM;
    d->base.ops = &device_ops;
    int fd = vfs_install(vm->vfs, HOST_DEVICE_FD, &d->base, VFS_O_RDWR);
    return fd < 0 ? fd : 0;
}
