/*
 * outbuf.h - a byte buffer with a hard cap, for captured guest output.
 *
 * The guest decides how much it prints, so the buffer never grows past its
 * limit: bytes beyond it are counted and dropped, never stored.
 */
#ifndef AIRLOCK_OUTBUF_H
#define AIRLOCK_OUTBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct outbuf {
    char *data;        /* NUL-terminated; NULL until the first byte */
    size_t len;        /* bytes stored */
    size_t alloc;      /* bytes allocated */
    size_t limit;      /* most bytes ever stored */
    uint64_t total;    /* bytes offered, stored or not */
    bool truncated;    /* some bytes were dropped */
} outbuf;

/* Store as much of buf as the limit allows; returns false on host OOM. */
bool outbuf_append(outbuf *b, const void *buf, size_t n);
/* Forget the contents (keeps the allocation) and set a new limit. */
void outbuf_reset(outbuf *b, size_t limit);
void outbuf_free(outbuf *b);
/* The contents, always a valid string. */
const char *outbuf_str(const outbuf *b);

#endif
