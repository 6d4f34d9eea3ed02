/*
 * image.h - the MicroPython guest's session images (runtime/image.h's
 * container holding its globals), shared by session files and the
 * start-up snapshot embedded at build time.
 */
#ifndef AIRLOCK_MICROPYTHON_IMAGE_H
#define AIRLOCK_MICROPYTHON_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/image.h"
#include "runtime/vm.h"
#include "session.h"
#include "vfs/vfs.h"


/* The instance part of an image: the globals, and beside them the heap's
 * size after its last collection (what decides when saving collects). */
typedef struct mp_instance_part {
    Z_guest_instance_t globals;
    uint64_t heap_live_bytes;
} mp_instance_part;

/* What precedes the pages: header, instance part, working directory. */
typedef struct session_head {
    file_header h;
    mp_instance_part inst;
    char cwd[VFS_PATH_MAX];
} session_head;

/* Read and validate the header (declared sizes against src->len and
 * mem_limit), the globals and the working directory. AIRLOCK_OK,
 * AIRLOCK_CORRUPT (reason in why) or AIRLOCK_IOERR. */
int session_read_head(session_source *src, uint64_t mem_limit, session_head *head, char *why, size_t why_size);
/* Give vm the image's globals and driver references (not its memory). */
void session_apply_globals(const session_head *head, airlock_vm *vm);
/* Write vm's state as an image to fd; false on an I/O error. With rt, only
 * the pages that differ from rt's snapshot when other processes can have
 * the same one; without, every non-zero page (a self-contained image). */
bool session_write(int fd, airlock_vm *vm, const struct airlock_runtime *rt);

#endif
