/*
 * fz_rewrite.c - arbitrary bytes through the host's source rewriter
 * (src/guests/micropython/rewrite.c), which reads every execution's source
 * before the guest does.
 *
 * Whatever the input, the rewriter must not crash, read out of bounds or
 * leak (the sanitizers watch), must answer the same twice, and its output
 * must stay within 16 times the input (each rewrite adds a bounded text per
 * source byte: the largest, ':' in a format spec, becomes '+chr(58)+').
 * Its agreement with the Python oracle is tests/rewrite/run.py's job.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guests/micropython/rewrite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t n1 = 0, n2 = 0;
    char *a = rewrite_source((const char *)data, size, &n1);
    char *b = rewrite_source((const char *)data, size, &n2);
    if ((a == NULL) != (b == NULL) || (a && (n1 != n2 || memcmp(a, b, n1) != 0))) abort();
    if (a && (n1 > 16 * size + 256 || a[n1] != '\0')) abort();
    free(a);
    free(b);
    return 0;
}
