/* outbuf.c - capped output buffer (see outbuf.h). */
#include "runtime/outbuf.h"

#include <stdlib.h>
#include <string.h>

bool outbuf_append(outbuf *b, const void *buf, size_t n) {
    b->total += n;
    size_t room = b->limit > b->len ? b->limit - b->len : 0;
    if (n > room) {
        b->truncated = true;
        n = room;
    }
    if (n == 0) return true;
    if (b->len + n + 1 > b->alloc) {
        size_t want = b->alloc ? b->alloc : 256;
        while (want < b->len + n + 1) want *= 2;
        if (want > b->limit + 1) want = b->limit + 1;
        char *p = realloc(b->data, want);
        if (!p) return false;
        b->data = p;
        b->alloc = want;
    }
    memcpy(b->data + b->len, buf, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

void outbuf_reset(outbuf *b, size_t limit) {
    b->len = 0;
    b->total = 0;
    b->truncated = false;
    b->limit = limit;
    if (b->data) b->data[0] = '\0';
}

void outbuf_free(outbuf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

const char *outbuf_str(const outbuf *b) { return b->data ? b->data : ""; }
