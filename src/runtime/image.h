/*
 * image.h - session images, for every guest: the checked container a
 * guest's clone/save/load (guest.h) writes its state into (image.c).
 *
 * Layout (little-endian):
 *   header (128 bytes)   struct file_header (session.h)
 *   instance             instance_bytes: the guest's globals and whatever
 *                        fixed-size state it keeps beside them
 *   cwd                  u32 length, then the bytes
 *   pages                page_count x (u32 page index, IMAGE_PAGE bytes),
 *                        ascending; absent pages are zero, or the guest's
 *                        snapshot's (base_id)
 *
 * A file is refused unless it was written by this airlock version for the
 * same guest build and layout, has exactly the length its header implies,
 * and both checksums match; every declared size is checked against the
 * file's real size and the memory limit before anything large is allocated
 * or read, and a file is read in bounded chunks.
 */
#ifndef AIRLOCK_RUNTIME_IMAGE_H
#define AIRLOCK_RUNTIME_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"
#include "vfs/vfs.h"

#define IMAGE_PAGE 4096u

/*
 * The payload checksum: catches truncation and corruption, a word at a time
 * in four interleaved lanes (word i goes to lane i % 4, so the multiplies
 * of neighbouring words do not wait for each other), not a defence: see
 * session.c. Any split of the same bytes into session_sum_add() calls gives
 * the same sum.
 */
#define SESSION_SUM_LANES 4
typedef struct session_sum {
    uint64_t h[SESSION_SUM_LANES];
    uint64_t word, len; /* word: the len % 8 bytes not yet mixed in */
} session_sum;

void session_sum_init(session_sum *s);
void session_sum_add(session_sum *s, const void *data, size_t n);
uint64_t session_sum_final(const session_sum *s);

/* FNV-1a of n bytes, from the initial basis (layout ids). */
uint64_t image_fnv1a(const void *data, size_t n);

/* What an image must have been written for: checked on read, stamped on
 * write. */
typedef struct image_spec {
    const char *sha256;      /* the guest's (guest_ops.sha256) */
    uint64_t layout_id;      /* what globals and memory mean */
    uint32_t instance_bytes; /* size of the instance part */
} image_spec;

/*
 * Where the bytes of an image come from: a file descriptor, read in bounded
 * chunks, or memory. len is the whole image's size (fstat for a file).
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

void session_source_fd(session_source *src, int fd, uint64_t len);
void session_source_mem(session_source *src, const void *data, size_t len, bool verify);
void session_source_free(session_source *src);

/* Read and validate the header (declared sizes against src->len and
 * mem_limit) against spec, then the instance (spec->instance_bytes into
 * instance) and the working directory. AIRLOCK_OK, AIRLOCK_CORRUPT (reason
 * in why) or AIRLOCK_IOERR. */
int image_read_head(session_source *src, const image_spec *spec, uint64_t mem_limit, file_header *h, void *instance,
                    char cwd[VFS_PATH_MAX], char *why, size_t why_size);
/* Where page `index` of memory goes (the reader writes IMAGE_PAGE bytes
 * there), or NULL to refuse it. */
typedef uint8_t *(*session_page_fn)(void *ctx, uint32_t index);
/* Read the pages into dest(), then check that nothing follows them and the
 * payload checksum. Codes as for image_read_head. */
int image_read_pages(session_source *src, const file_header *h, session_page_fn dest, void *ctx, char *why,
                     size_t why_size);

/* Buffered output of an image to a seekable fd, with its checksum. */
typedef struct image_writer {
    int fd;
    uint8_t *buf;
    size_t used;
    session_sum sum;
    uint32_t pages;
    bool ok;
} image_writer;

/* Start an image: room for the header, then the instance and cwd. false
 * on an I/O error or OOM (nothing to end then). */
bool image_write_begin(image_writer *w, int fd, const void *instance, uint32_t instance_bytes, const char *cwd);
/* Append page `index` (ascending calls). */
void image_write_page(image_writer *w, uint32_t index, const uint8_t *page);
/* Append every page of mem (bytes long) that is not all zero. */
void image_write_nonzero_pages(image_writer *w, const uint8_t *mem, uint64_t bytes);
/* Finish: stamp h (the guest fills memory_bytes, run_ref, slots, base_id)
 * with spec, the counts and checksums, and write it at offset 0. */
bool image_write_end(image_writer *w, file_header *h, const image_spec *spec);

bool image_page_is_zero(const uint8_t *p);

/* Recompute both checksums of a whole image in memory, len bytes (at least
 * a header): what a forger does, for tests and fuzzers that edit images. */
void image_seal(uint8_t *image, size_t len);

#endif
