/*
 * mksnapshot.c - build tool: boot the CPython guest as every runtime does
 * (cpython_runtime_snapshot: the driver loaded) and write the snapshot as
 * an image, which the build embeds into libairlock (cpython_prebuilt.S) so
 * that processes start from it instead of booting CPython.
 *
 *   cpython-mksnapshot OUT.img
 *
 * Linked with empty prebuilt images (guest/prebuilt_none.c), so it really
 * boots.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "guests/cpython/cpython_guest.h"
#include "runtime/vm.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: cpython-mksnapshot OUT.img\n");
        return 2;
    }
    int trap = 0;
    cpython_snapshot *s = cpython_runtime_snapshot(0, &trap);
    if (!s) {
        fprintf(stderr, "cpython-mksnapshot: the boot failed (%s)\n", trap ? vm_trap_message(trap) : "out of memory");
        return 1;
    }
    char why[200] = "";
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    bool ok = fd >= 0 && cpython_snapshot_write(s, fd, why, sizeof why);
    if (fd >= 0 && close(fd) != 0) ok = false;
    cpython_snapshot_free(s);
    if (!ok) {
        fprintf(stderr, "cpython-mksnapshot: %s: %s\n", argv[1], why[0] ? why : "cannot write");
        unlink(argv[1]);
        return 1;
    }
    return 0;
}
