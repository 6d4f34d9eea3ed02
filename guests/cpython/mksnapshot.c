/*
 * mksnapshot.c - build tool: boot the CPython guest as every runtime does
 * (cpython_runtime_snapshot: the driver loaded), install the host modules
 * of a runtime with no host functions, plugins or env (the common case:
 * guest.c's boot skips the install for a runtime whose install digest is
 * the one recorded), and write that runtime's snapshot as an image, which
 * the build embeds into libairlock (cpython_prebuilt.S) so that processes
 * start from it instead of booting CPython.
 *
 *   cpython-mksnapshot OUT.img
 *
 * Linked with empty prebuilt images (guests/prebuilt_none.c), so it really
 * boots.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "airlock.h"
#include "guests/cpython/cpython_guest.h"

/* A default runtime's first sandbox boots it; its snapshot into fd. */
static bool write_default(int fd, char *why, size_t whysize) {
    airlock_runtime *rt = NULL;
    airlock_sandbox *sb = NULL;
    bool ok = airlock_runtime_new(&rt) == AIRLOCK_OK && airlock_runtime_set_guest(rt, "cpython") == AIRLOCK_OK &&
              airlock_sandbox_new(rt, &sb) == AIRLOCK_OK;
    if (!ok) snprintf(why, whysize, "the boot failed: %s", rt ? airlock_runtime_errmsg(rt) : "out of memory");
    else ok = cpython_snapshot_write(cpython_runtime_installed(rt), fd, why, whysize);
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
    return ok;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: cpython-mksnapshot OUT.img\n");
        return 2;
    }
    char why[400] = "";
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    bool ok = fd >= 0 && write_default(fd, why, sizeof why);
    if (fd >= 0 && close(fd) != 0) ok = false;
    if (!ok) {
        fprintf(stderr, "cpython-mksnapshot: %s: %s\n", argv[1], why[0] ? why : "cannot write");
        unlink(argv[1]);
        return 1;
    }
    return 0;
}
