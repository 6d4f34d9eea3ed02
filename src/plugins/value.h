/*
 * value.h - the airlock_value tree (internal layout; value.c).
 */
#ifndef AIRLOCK_PLUGINS_VALUE_H
#define AIRLOCK_PLUGINS_VALUE_H

#include <stdbool.h>

#include "airlock_plugin.h"

/* Why a container is poisoned (a NULL child was handed to it). */
enum { VALUE_OK = 0, VALUE_NOMEM, VALUE_BAD_UTF8, VALUE_MISUSE };

struct airlock_value {
    airlock_kind kind;
    uint8_t poison;                /* VALUE_*: a failed constructor below */
    struct airlock_value *parent;  /* refuses cycles and double ownership */
    union {
        int b;
        int64_t i;
        double f;
        struct {
            char *data;            /* NUL-terminated (str and bytes) */
            size_t len;
        } s;
        struct {
            struct airlock_value **items;
            struct airlock_value **keys; /* dict only: str values */
            size_t len, cap;
        } c;
    } u;
};

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool value_utf8_valid(const uint8_t *s, size_t len);
/* Length of the UTF-8 sequence starting at s (at most avail bytes), or 0 if
 * it is not a valid one. */
size_t value_utf8_seq(const uint8_t *s, size_t avail);
/* A str or bytes node owning data (malloc'd, NUL-terminated, len bytes). */
airlock_value *value_take_str(airlock_kind kind, char *data, size_t len);
/* Add an item to a container without the ownership checks (the decoder
 * builds fresh trees); false when out of memory (item not consumed). */
bool value_push(airlock_value *c, airlock_value *key, airlock_value *item);
/* First poison found in the tree (VALUE_OK if none). */
int value_poison(const airlock_value *v);

#endif
