/*
 * search.c - substring search for the guest.
 *
 * MicroPython's find_subbytes (py/objstr.c: str.find, rfind, index, `in`,
 * replace, split, partition) compares the needle at every position with a
 * guest call to memcmp: a miss in 1 MB is a million calls. The patch
 * (guests/patch/strfind.c) makes it call Z_airlockZ_find_subbytes first.
 * Forward searches use memmem (linear in glibc); backward ones, a memrchr
 * and memcmp per candidate, only for needles of up to BACKWARD_MAX_NEEDLE
 * bytes, so host work stays linear in the haystack. The answer is what the
 * guest's loop returns: the address of the first match in the direction of
 * the search (an empty needle matches at the start, or at the end going
 * backward), 0 if none. Anything unusual (a direction other than 1 and -1,
 * a range outside memory, a long needle backward) is declined with -1 and
 * the guest searches itself, exactly as before.
 *
 * str.count and bytes.count (str_count's loop) come here too:
 * Z_airlockZ_count_subbytes counts the non-overlapping matches from the
 * first position on, with memmem from the end of each match, as the loop
 * does comparing at every position (bytes) or at every character start
 * (str). The two agree when the needle does not start with a UTF-8
 * continuation byte (10xxxxxx): a match then starts where no character
 * continues. Such a needle (not valid UTF-8) is declined.
 *
 * Fuel: 1 unit per 16 bytes of haystack and needle (forward), per 16 bytes
 * times the needle's length (backward), as the patch charges memory.copy;
 * a count, per 16 bytes of haystack and needle and per match.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem, memrchr */
#endif
#include <string.h>

#include "guests/micropython/micropython.h"

#define FIND_DECLINE 0xffffffffu
#define BACKWARD_MAX_NEEDLE 64u

/* The last position of needle in hay; nlen >= 1 and <= hlen. */
static const uint8_t *last_match(const uint8_t *hay, size_t hlen, const uint8_t *needle, size_t nlen) {
    size_t span = hlen - nlen + 1; /* candidate starts: [0, span) */
    while (span) {
        const uint8_t *p = memrchr(hay, needle[0], span);
        if (!p) return NULL;
        if (!memcmp(p, needle, nlen)) return p;
        span = (size_t)(p - hay);
    }
    return NULL;
}

u32 Z_airlockZ_find_subbytes(struct Z_airlock_instance_t *self, u32 hay, u32 hlen, u32 needle, u32 nlen,
                             u32 direction) {
    airlock_vm *vm = VM_OF(self);
    if (hlen < nlen) return 0; /* the guest's loop reads nothing then */
    bool forward = direction == 1;
    if (!forward && direction != (u32)-1) return FIND_DECLINE;
    if (!forward && nlen > BACKWARD_MAX_NEEDLE) return FIND_DECLINE;
    const uint8_t *h = vm_ptr(vm, hay, hlen), *n = vm_ptr(vm, needle, nlen);
    /* every answer must differ from FIND_DECLINE */
    if (!h || !n || (uint64_t)hay + hlen >= FIND_DECLINE) return FIND_DECLINE;
    mp_bridge_charge(vm, forward ? (uint64_t)hlen + nlen : (uint64_t)hlen * (nlen ? nlen : 1));
    if (!nlen) return forward ? hay : hay + hlen;
    const uint8_t *at = forward ? memmem(h, hlen, n, nlen) : last_match(h, hlen, n, nlen);
    return at ? hay + (u32)(at - h) : 0;
}

u32 Z_airlockZ_count_subbytes(struct Z_airlock_instance_t *self, u32 at, u32 end, u32 needle, u32 nlen) {
    airlock_vm *vm = VM_OF(self);
    const uint8_t *h = end >= at ? vm_ptr(vm, at, end - at) : NULL, *n = vm_ptr(vm, needle, nlen);
    if (!h || !n || !nlen || (n[0] & 0xc0) == 0x80 || end - at >= FIND_DECLINE) return FIND_DECLINE;
    size_t hlen = end - at;
    u32 count = 0;
    for (size_t i = 0; i + nlen <= hlen; count++) {
        const uint8_t *m = memmem(h + i, hlen - i, n, nlen);
        if (!m) break;
        i = (size_t)(m - h) + nlen;
    }
    mp_bridge_charge(vm, (uint64_t)hlen + nlen + (uint64_t)count * 16);
    return count;
}
