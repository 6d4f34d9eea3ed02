/*
 * Fix a MicroPython error text that can reach the guest unformatted.
 *
 * When the heap is too full to hold a formatted exception message,
 * mp_obj_new_exception_msg_vlist() (py/objexcept.c) keeps the format string
 * itself as the message: a full heap then reports "memory allocation
 * failed, allocating %u bytes" with a literal %u. A NUL after "memory
 * allocation failed" in the ROM text of that format makes the message read
 * right whichever way it is made; CPython's MemoryError names no size
 * either.
 */
#include "patch.h"

#include <string.h>

/* End the NUL-terminated text `from` early, after its first `keep` bytes,
 * wherever it stands alone in the data segments; returns how many. Only
 * that one byte changes: the linker shares string tails, so the rest of
 * the text ("bytes", "%u bytes") may be another string's bytes. */
static int cut_text(const DataImage *img, const char *from, size_t keep)
{
    size_t flen = strlen(from) + 1;
    int n = 0;
    for (size_t i = 0; i < img->nsegs; i++) {
        uint8_t *seg = img->buf + img->segs[i].file_off;
        size_t len = img->segs[i].len;
        for (size_t off = 0; off + flen <= len; off++) {
            if ((off == 0 || seg[off - 1] == 0) && memcmp(seg + off, from, flen) == 0) {
                seg[off + keep] = 0;
                n++;
            }
        }
    }
    return n;
}

int fix_messages(const DataImage *img)
{
    static const char fmt[] = "memory allocation failed, allocating %u bytes";
    return cut_text(img, fmt, strlen("memory allocation failed"));
}
