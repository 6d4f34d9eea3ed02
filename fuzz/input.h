/*
 * input.h - reading a fuzzer's input as a stream of small decisions.
 *
 * Harnesses that drive an API with a sequence of operations take their
 * choices from the input front to back; when it runs out, every read yields
 * zeros, so any input (even an empty one) is a valid script and the fuzzer
 * never wastes executions on rejected shapes.
 */
#ifndef AIRLOCK_FUZZ_INPUT_H
#define AIRLOCK_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct fz_input {
    const uint8_t *p;
    size_t left;
} fz_input;

static inline uint8_t fz_u8(fz_input *in) {
    if (!in->left) return 0;
    in->left--;
    return *in->p++;
}

static inline uint32_t fz_u32(fz_input *in) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)fz_u8(in) << (8 * i);
    return v;
}

/* Up to max bytes as a NUL-terminated string in out (max+1 bytes): a length
 * byte, then the bytes. NULs inside are kept; C consumers stop at them. */
static inline size_t fz_str(fz_input *in, char *out, size_t max) {
    size_t n = fz_u8(in);
    if (n > max) n = max;
    if (n > in->left) n = in->left;
    memcpy(out, in->p, n);
    out[n] = '\0';
    in->p += n;
    in->left -= n;
    return n;
}

#endif
