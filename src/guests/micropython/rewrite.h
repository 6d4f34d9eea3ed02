/*
 * rewrite.h - the source rewriter: CPython idioms MicroPython cannot run,
 * turned into calls to the compatibility layer's helpers
 * (guests/micropython/lib/_airlock.py) on the host, before an execution's
 * source is copied into the guest (exec.c).
 *
 *   P.ljust(...)    -> _airlock.m(P, 'ljust')(...)   (str methods MicroPython lacks)
 *   P.format(...)   -> _airlock.mfmt(P)(...)          (attribute/index fields, grouping)
 *   P.sort(...)     -> _airlock.msort(P)(...)         (stable sort)
 *   P[a:b:c]        -> _airlock.sl(P, a, b, c)       (str/bytes step slices; loads only)
 *   {**a, k: v}     -> _airlock.merge((a,), (k, v))
 *   class C(...):   -> @_airlock.cls(names, annotations) above it (field order for
 *                      dataclasses, Enum/NamedTuple/TypedDict classes)
 *   f"{x=}"         -> f"x={x!r}";  f"{x:%Y,_}" -> f"{_airlock.fmt(x, '%Y')}"
 *   match/case, except*, async generators -> a `raise SyntaxError(...)` on
 *                      the offending line that says what to write instead
 *
 * Every rewrite keeps the meaning of valid MicroPython code: the helpers
 * fall back to the original operation whenever the object already supports
 * it. On any internal problem the source is used as it is.
 */
#ifndef AIRLOCK_MP_REWRITE_H
#define AIRLOCK_MP_REWRITE_H

#include <stddef.h>

/* Sources of this many bytes or more go unrewritten: agent code is far
 * smaller, and it bounds the host work a caller can cause. */
#define REWRITE_MAX_SOURCE 262144

/* The rewritten source (malloc'd, *out_len bytes, NUL-terminated), or NULL
 * when src is to be compiled as it is: nothing to rewrite, too large, not
 * UTF-8 as the guest checks it, or out of memory. Time and memory are
 * linear in len. */
char *rewrite_source(const char *src, size_t len, size_t *out_len);

#endif
