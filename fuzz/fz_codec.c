/*
 * fz_codec.c - the bridge's value codec (src/plugins/codec.c).
 *
 * A host call arrives as a string the guest wrote, so the decoder sees
 * whatever the guest wants: the input is decoded with tight limits; a
 * decoded call's arguments are then copied (airlock_value_copy), walked
 * with the public getters, and encoded back as a result, the way a host
 * function that echoes its arguments would answer. The first input byte
 * picks the limits. The same bytes are also decoded as one value, as the
 * embedder's values are (codec_decode_value). Checked: decoding either
 * fails with an error type and message or yields a list and a dict (or a
 * value within the item limit); a decoded scalar encodes as one short
 * token of the device's answers; the encoded answer stays within its
 * byte limit (plus its tag); nothing leaks (LeakSanitizer) or overflows
 * (AddressSanitizer); errors are encoded as valid UTF-8.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/codec.h"
#include "plugins/value.h"

#define FAIL(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())

/* Visit every node through the public getters; returns the node count. */
static size_t walk(const airlock_value *v, int depth) {
    if (depth > 1000) FAIL("decoded value deeper than any limit allows");
    size_t n = 1, len = 0;
    switch (airlock_value_kind(v)) {
    case AIRLOCK_STR:
        if (!airlock_value_str(v, &len) || !value_utf8_valid((const uint8_t *)airlock_value_str(v, NULL), len))
            FAIL("a decoded str is not valid UTF-8");
        break;
    case AIRLOCK_BYTES:
        airlock_value_bytes(v, &len);
        break;
    case AIRLOCK_LIST:
    case AIRLOCK_DICT:
        for (size_t i = 0; i < airlock_value_len(v); i++) {
            if (airlock_value_kind(v) == AIRLOCK_DICT && !airlock_value_key(v, i)) FAIL("dict key missing");
            n += walk(airlock_value_item(v, i), depth + 1);
        }
        break;
    default:
        break;
    }
    return n;
}

/* A scalar answered as text (the device's answers, codec_encode_scalar):
 * a scalar always encodes, to one short token; nothing else does. */
static void check_scalar(const airlock_value *v) {
    airlock_kind k = airlock_value_kind(v);
    bool scalar = k == AIRLOCK_NONE || k == AIRLOCK_BOOL || k == AIRLOCK_INT || k == AIRLOCK_FLOAT;
    codec_buf b = {0};
    bool ok = codec_encode_scalar(v, &b);
    if (ok != scalar) FAIL("codec_encode_scalar %s a %s", ok ? "encoded" : "refused", scalar ? "scalar" : "container");
    if (ok && (b.len == 0 || b.len > 21 || !strchr("NTFif", b.data[0]))) FAIL("a scalar encoded as '%s'", b.data);
    codec_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!size) return 0;
    static const codec_limits choices[4] = {{8, 64, 1024, "host call"},
                                            {32, 4096, 65536, "host call"},
                                            {2, 8, 64, "value"},
                                            {64, 100000, 1 << 20, "value"}};
    const codec_limits *lim = &choices[data[0] % 4];
    codec_error err;
    /* the same bytes as one value (the embedder's values, src/values.c) */
    airlock_value *v = codec_decode_value(data + 1, size - 1, lim, &err);
    if (!v && (!err.type || !*err.type)) FAIL("a value's decoding failed without an error type");
    if (v && walk(v, 0) > lim->max_items) FAIL("decoded a value over the item limit");
    if (v) check_scalar(v);
    airlock_value_free(v);
    codec_call call;
    if (!codec_decode_call(data + 1, size - 1, lim, &call, &err)) {
        if (!err.type || !*err.type) FAIL("decode failed without an error type");
        codec_buf eb = {0};
        if (codec_encode_error(err.type, err.message, &eb) &&
            !value_utf8_valid((const uint8_t *)eb.data, eb.len))
            FAIL("an encoded error is not valid UTF-8");
        codec_buf_free(&eb);
        return 0;
    }
    if (airlock_value_kind(call.args) != AIRLOCK_LIST || airlock_value_kind(call.kwargs) != AIRLOCK_DICT)
        FAIL("a decoded call's arguments are not a list and a dict");
    size_t nodes = walk(call.args, 0) + walk(call.kwargs, 0);
    if (nodes > lim->max_items + 2) FAIL("decoded %zu nodes, limit %llu", nodes, (unsigned long long)lim->max_items);
    airlock_value *copy = airlock_value_copy(call.args);
    codec_buf out = {0};
    if (copy && codec_encode_result(copy, lim, &out, &err) && out.len > lim->max_bytes + 1)
        FAIL("encoded %zu bytes, limit %llu", out.len, (unsigned long long)lim->max_bytes);
    codec_buf_free(&out);
    airlock_value_free(copy);
    codec_call_free(&call);
    return 0;
}
