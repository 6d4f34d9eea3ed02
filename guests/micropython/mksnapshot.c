/*
 * mksnapshot.c - build tool: boot a default runtime and write its start-up
 * state as a session image, which the build embeds into libairlock
 * (build/gen/prebuilt.S) so that processes start from it instead of booting
 * the interpreter and importing the compatibility library.
 *
 *   mksnapshot OUT.img
 *
 * Linked against the library objects with an empty prebuilt image
 * (guests/prebuilt_none.c), so the runtime here really boots.
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "airlock.h"
#include "sandbox.h"
#include "guests/micropython/image.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: mksnapshot OUT.img\n");
        return 2;
    }
    airlock_runtime *rt;
    airlock_sandbox *sb;
    if (airlock_runtime_new(&rt) != AIRLOCK_OK) return 1;
    if (airlock_sandbox_new(rt, &sb) != AIRLOCK_OK) {
        fprintf(stderr, "mksnapshot: %s\n", airlock_sandbox_errmsg(sb));
        return 1;
    }
    /* A fresh sandbox is an exact copy of the boot's snapshot; without a
     * runtime the image holds every non-zero page (it is the base). */
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || !session_write(fd, sb->vm, NULL) || close(fd) != 0) {
        perror(argv[1]);
        return 1;
    }
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
    return 0;
}
