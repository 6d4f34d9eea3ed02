/*
 * session.h - the first 128 bytes of every session image, whatever its
 * guest: who wrote it (airlock's version, the guest's artifact) and what
 * follows. The rest of an image is its guest's, in the container of
 * src/runtime/image.h; session.c reads only this much itself, to refuse a
 * session of another guest by name.
 */
#ifndef AIRLOCK_SESSION_H
#define AIRLOCK_SESSION_H

#include <stdint.h>

#define SESSION_HEADER_BYTES 128
#define SESSION_MAGIC "AIRLOCKS"

typedef struct file_header {
    char magic[8];            /* SESSION_MAGIC */
    uint32_t format_version;
    uint32_t header_bytes;
    char airlock_version[16];
    uint8_t guest_sha256[32]; /* the guest's pinned artifact (guest_ops.sha256) */
    uint64_t layout_id;
    uint64_t memory_bytes;
    uint32_t instance_bytes;
    uint32_t run_ref;         /* the guest's driver references */
    uint32_t slots;
    uint32_t page_count;
    uint64_t base_id;         /* 0: absent pages are zero; else the snap_id
                               * of the snapshot absent pages come from */
    uint64_t payload_checksum;
    uint64_t header_checksum; /* of the bytes before this field */
    uint8_t reserved[8];
} file_header;

_Static_assert(sizeof(file_header) == SESSION_HEADER_BYTES, "the header is 128 bytes on disk");

/* The sha256 text of a guest as the 32 bytes a header holds. */
void session_sha_bytes(const char *hex, uint8_t out[32]);

#endif
