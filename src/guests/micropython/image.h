/*
 * image.h - the MicroPython guest's session image format, shared by
 * session files and the start-up snapshot embedded at build time (see
 * image.c for the layout).
 */
#ifndef AIRLOCK_MICROPYTHON_IMAGE_H
#define AIRLOCK_MICROPYTHON_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/vm.h"
#include "session.h"
#include "vfs/vfs.h"


/*
 * The payload checksum: catches truncation and corruption, a word at a time
 * (not a defence: see session.c). Any split of the same bytes into
 * session_sum_add() calls gives the same sum.
 */
typedef struct session_sum {
    uint64_t h, word, len; /* word: the len % 8 bytes not yet mixed in */
} session_sum;

void session_sum_init(session_sum *s);
void session_sum_add(session_sum *s, const void *data, size_t n);
uint64_t session_sum_final(const session_sum *s);

/*
 * Where the bytes of an image come from: a file descriptor, read in bounded
 * chunks, or memory. len is the whole image's size (fstat for a file): every
 * size the header declares is checked against it and against the memory
 * limit before anything large is allocated or read.
 */
typedef struct session_source {
    int fd;                 /* -1: read from mem */
    const uint8_t *mem;
    uint64_t len, pos;      /* image size; bytes consumed */
    uint8_t *chunk;         /* fd only: read buffer */
    size_t chunk_len, chunk_pos;
    bool verify;            /* check the payload checksum */
    session_sum sum;        /* of the payload consumed so far */
    int io_errno;           /* set when a read failed */
} session_source;

/* What precedes the pages: header, globals, working directory. */
typedef struct session_head {
    file_header h;
    Z_guest_instance_t globals;
    char cwd[VFS_PATH_MAX];
} session_head;

void session_source_fd(session_source *src, int fd, uint64_t len);
void session_source_mem(session_source *src, const void *data, size_t len, bool verify);
void session_source_free(session_source *src);
/* Read and validate the header (declared sizes against src->len and
 * mem_limit), the globals and the working directory. AIRLOCK_OK,
 * AIRLOCK_CORRUPT (reason in why) or AIRLOCK_IOERR. */
int session_read_head(session_source *src, uint64_t mem_limit, session_head *head, char *why, size_t why_size);
/* Where page `index` of memory goes (the reader writes PAGE bytes there). */
typedef uint8_t *(*session_page_fn)(void *ctx, uint32_t index);
/* Read the pages into dest(), then check that nothing follows them and the
 * payload checksum. Codes as for session_read_head. */
int session_read_pages(session_source *src, const session_head *head, session_page_fn dest, void *ctx, char *why,
                       size_t why_size);
/* Give vm the image's globals and driver references (not its memory). */
void session_apply_globals(const session_head *head, airlock_vm *vm);
/* Write vm's state as an image to fd; false on an I/O error. With rt, only
 * the pages that differ from rt's snapshot when other processes can have
 * the same one; without, every non-zero page (a self-contained image). */
bool session_write(int fd, airlock_vm *vm, const struct airlock_runtime *rt);

#endif
