/*
 * driver.c - the host's source rewriter (src/guests/micropython/rewrite.c)
 * as a filter for tests/rewrite/run.py: records on stdin, each a 4-byte
 * little-endian length and that many bytes of source; for each, the same
 * framing on stdout with the source the guest would compile.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "guests/micropython/rewrite.h"

static int read_len(uint32_t *len) {
    unsigned char b[4];
    size_t got = fread(b, 1, 4, stdin);
    if (got == 0) return 0;
    if (got != 4) return -1;
    *len = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 1;
}

static void write_record(const char *s, size_t n) {
    unsigned char b[4] = {(unsigned char)n, (unsigned char)(n >> 8), (unsigned char)(n >> 16),
                          (unsigned char)(n >> 24)};
    if (fwrite(b, 1, 4, stdout) != 4 || fwrite(s, 1, n, stdout) != n) exit(2);
}

int main(void) {
    uint32_t len;
    int r;
    while ((r = read_len(&len)) == 1) {
        char *src = malloc(len ? len : 1);
        if (!src || fread(src, 1, len, stdin) != len) return 2;
        size_t out_len;
        char *out = rewrite_source(src, len, &out_len);
        if (out) write_record(out, out_len);
        else write_record(src, len);
        fflush(stdout);
        free(out);
        free(src);
    }
    return r < 0 ? 2 : 0;
}
