/*
 * wasi.c - the WASI fd_* calls: stdio capture and file I/O through the vfs.
 *
 * fd 1 and 2 are captured into the sandbox's capped output buffers, fd 0
 * reads as an empty stream; every other descriptor belongs to the vfs.
 * Results are errno values in the numbering of vfs.h (0 on success): the
 * guest's libc stores them in errno unchanged.
 */
#include <string.h>

#include "runtime/vm.h"
#include "vfs/vfs.h"

#define IOV_MAX_COUNT 1024

typedef int64_t (*io_fn)(airlock_vm *vm, int fd, uint8_t *buf, uint32_t len);

bool vm_output(airlock_vm *vm, int i, const void *buf, size_t n) {
    outbuf *ob = &vm->out[i];
    size_t before = ob->len;
    if (!outbuf_append(ob, buf, n)) return false;
    if (vm->on_output && ob->len > before)
        vm->on_output(vm->output_userdata, i + 1, ob->data + before, ob->len - before);
    return true;
}

static int64_t write_one(airlock_vm *vm, int fd, uint8_t *buf, uint32_t len) {
    if (fd == 1 || fd == 2) {
        outbuf *ob = &vm->out[fd - 1];
        if (!vm_output(vm, fd - 1, buf, len)) return -VFS_ENOMEM;
        if (ob->truncated && vm->limits.output_overflow_stops) {
            vm->stop_reason = AIRLOCK_LIMIT_OUTPUT;
            vm_trap(vm, VM_TRAP_LIMIT);
        }
        return len;
    }
    return vfs_write(vm->vfs, fd, buf, len);
}

static int64_t read_one(airlock_vm *vm, int fd, uint8_t *buf, uint32_t len) {
    if (fd == 0) return 0; /* stdin: always at end of file */
    if (fd == 1 || fd == 2) return -VFS_EBADF;
    vm_prepare_write(vm, buf, len);
    return vfs_read(vm->vfs, fd, buf, len);
}

/* Walk a guest iovec array {u32 ptr, u32 len}[n], validating every entry. */
static u32 scatter(airlock_vm *vm, int fd, u32 iovs, u32 n, u32 result_ptr, io_fn io) {
    if (n > IOV_MAX_COUNT) return VFS_EINVAL;
    if (!vm_ptr(vm, iovs, (uint64_t)n * 8) || !vm_ptr(vm, result_ptr, 4)) return VFS_EINVAL;
    uint64_t total = 0;
    for (u32 i = 0; i < n; i++) {
        uint32_t ptr, len;
        vm_load_u32(vm, iovs + i * 8, &ptr);
        vm_load_u32(vm, iovs + i * 8 + 4, &len);
        uint8_t *buf = vm_ptr(vm, ptr, len);
        if (!buf) return VFS_EINVAL;
        if (len == 0) continue;
        int64_t done = io(vm, fd, buf, len);
        if (done < 0) {
            if (total) break; /* report the partial transfer first */
            return (u32)-done;
        }
        total += (uint64_t)done;
        if ((uint64_t)done < len) break;
    }
    vm_store_u32(vm, result_ptr, (uint32_t)total);
    return 0;
}

u32 Z_wasi_snapshot_preview1Z_fd_write(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 iovs, u32 n,
                                       u32 nwritten) {
    return scatter(VM_OF(w), (int)fd, iovs, n, nwritten, write_one);
}

u32 Z_wasi_snapshot_preview1Z_fd_read(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u32 iovs, u32 n,
                                      u32 nread) {
    return scatter(VM_OF(w), (int)fd, iovs, n, nread, read_one);
}

u32 Z_wasi_snapshot_preview1Z_fd_seek(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd, u64 offset, u32 whence,
                                      u32 newoffset) {
    airlock_vm *vm = VM_OF(w);
    uint8_t *out = vm_ptr(vm, newoffset, 8);
    if (!out) return VFS_EINVAL;
    if (fd <= 2) return VFS_ESPIPE;
    int64_t pos = vfs_seek(vm->vfs, (int)fd, (int64_t)offset, (int)whence);
    if (pos < 0) return (u32)-pos;
    uint64_t p = (uint64_t)pos;
    memcpy(out, &p, 8);
    return 0;
}

u32 Z_wasi_snapshot_preview1Z_fd_close(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd) {
    if (fd <= 2) return 0;
    int rc = vfs_close(VM_OF(w)->vfs, (int)fd);
    return rc < 0 ? (u32)-rc : 0;
}

u32 Z_wasi_snapshot_preview1Z_fd_sync(struct Z_wasi_snapshot_preview1_instance_t *w, u32 fd) {
    if (fd <= 2) return 0;
    return vfs_fd_valid(VM_OF(w)->vfs, (int)fd) ? 0 : VFS_EBADF;
}
