/*
 * codec.h - the wire format of host calls (codec.c).
 *
 * Guest to host, a call is one str the guest's _airlock_host module writes:
 *
 *   call   := fingerprint ":" fid ":" list dict
 *   value  := "N" | "T" | "F"                    None, True, False
 *           | "i" ["-"] digits ";"               int (must fit in int64)
 *           | "f" 16 hex digits                  float: IEEE 754 bytes, little-endian
 *           | "s" count ":" chars                str: count code points of UTF-8
 *           | "b" count ":" 2*count hex digits   bytes
 *           | "l" count ":" value*count          list or tuple
 *           | "d" count ":" (str value)*count    dict with str keys
 *
 * Counts are code points, not bytes, because the guest can get a str's
 * length cheaply but not its UTF-8 size. The decoder trusts nothing: every
 * count is checked against the bytes left, depth and item totals are
 * capped, UTF-8 is validated strictly.
 *
 * Host to guest, a result is either a scalar the bridge passes directly
 * (None, bool, 32-bit int, float) or a tagged str:
 *
 *   "S" text             a str
 *   "B" hex              bytes
 *   "J" json             anything else, as JSON (the guest's C json parser)
 *   "M" json             JSON with markers {"\u0000": "b<hex>"} for bytes and
 *                        {"\u0000": "nan"} for NaN, undone by the guest
 *   "E" type "\n" text   raise type(text)
 *
 * A guest whose bridge has no slot (the device, plugins/device.c) gets the
 * scalars as text too, in the call's own notation:
 *
 *   "N" | "T" | "F"       None, True, False
 *   "i" ["-"] digits      int (int64)
 *   "f" 16 hex digits     float: IEEE 754 bytes, little-endian
 */
#ifndef AIRLOCK_PLUGINS_CODEC_H
#define AIRLOCK_PLUGINS_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "plugins/value.h"

typedef struct codec_limits {
    uint32_t max_depth;
    uint64_t max_items;
    uint64_t max_bytes;      /* arguments when decoding, result when encoding */
    const char *what;        /* what crosses, for messages: "host call", "value" */
} codec_limits;

/* An error for the guest: exception type and message. */
typedef struct codec_error {
    const char *type;        /* static string, e.g. "ValueError" */
    char message[200];
} codec_error;

typedef struct codec_call {
    uint32_t fingerprint;
    uint32_t fid;
    airlock_value *args;     /* list */
    airlock_value *kwargs;   /* dict */
} codec_call;

/* Decode a call; false with err filled (and nothing to free) on failure. */
bool codec_decode_call(const uint8_t *blob, size_t len, const codec_limits *lim, codec_call *out, codec_error *err);
void codec_call_free(codec_call *c);
/* Decode one value (the embedder's, values.c); NULL with err filled on
 * failure. */
airlock_value *codec_decode_value(const uint8_t *blob, size_t len, const codec_limits *lim, codec_error *err);

/* A growable byte buffer. */
typedef struct codec_buf {
    char *data;
    size_t len, cap;
} codec_buf;
bool codec_buf_put(codec_buf *b, const void *p, size_t n);
void codec_buf_free(codec_buf *b);

/*
 * Encode a non-scalar result (or any value) as a tagged str into out
 * (replacing its contents). false with err filled when the value is
 * poisoned, too deep, or larger than lim->max_bytes.
 */
bool codec_encode_result(const airlock_value *v, const codec_limits *lim, codec_buf *out, codec_error *err);
/* A scalar (None, bool, int, float) as text into out (replacing its
 * contents); false for any other value, or out of memory. */
bool codec_encode_scalar(const airlock_value *v, codec_buf *out);
/* "E" type "\n" message, the message cut to a sane size and made valid UTF-8. */
bool codec_encode_error(const char *type, const char *message, codec_buf *out);

#endif
