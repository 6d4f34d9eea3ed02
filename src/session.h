/*
 * session.h - the session image format, shared by session files and the
 * start-up snapshot embedded at build time (see session.c for the layout).
 */
#ifndef AIRLOCK_SESSION_H
#define AIRLOCK_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/vm.h"

#define SESSION_HEADER_BYTES 128

typedef struct file_header {
    char magic[8];
    uint32_t format_version;
    uint32_t header_bytes;
    char airlock_version[16];
    uint8_t guest_sha256[32];
    uint64_t layout_id;
    uint64_t memory_bytes;
    uint32_t instance_bytes;
    uint32_t run_ref;
    uint32_t slots;
    uint32_t page_count;
    uint64_t payload_checksum;
    uint64_t header_checksum; /* of the bytes before this field */
    uint8_t reserved[16];
} file_header;

/* A validated image: pointers into the caller's buffer. */
typedef struct session_image {
    file_header h;
    const uint8_t *globals;   /* sizeof(Z_guest_instance_t) bytes */
    const char *cwd;
    uint32_t cwd_len;
    const uint8_t *pages;     /* h.page_count x (u32 index, 4096 bytes) */
} session_image;

/* Validate a whole image (header, checksums, structure, memory within
 * mem_limit). AIRLOCK_OK, or AIRLOCK_CORRUPT with the reason in why. */
int session_parse(const void *data, size_t len, uint64_t mem_limit, session_image *img, char *why, size_t why_size);
/* The same for an image that is part of airlock itself (the prebuilt
 * snapshot): the structure is checked, the payload checksum is not. */
int session_parse_trusted(const void *data, size_t len, session_image *img, char *why, size_t why_size);
/* Give vm the image's globals and driver references (not its memory). */
void session_apply_globals(const session_image *img, airlock_vm *vm);
/* Give vm the image's globals, memory contents and driver references; vm's
 * memory must already be mapped at the image's size. */
void session_apply(const session_image *img, airlock_vm *vm);
/* Write vm's state as an image to fd; false on an I/O error. */
bool session_write(int fd, airlock_vm *vm);

#endif
