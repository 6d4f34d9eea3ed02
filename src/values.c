/*
 * values.c - the embedder's structured values (airlock_sandbox_set_value,
 * _get_value, _result_value): an airlock_value crosses into a guest global,
 * or a guest global (or the last execution's value) back into one.
 *
 * One mechanism with host calls: the host side encodes and decodes with
 * plugins/codec.c under the runtime's call limits, the guest side is
 * _airlock_host._value (src/plugins/py), reached through the guest's
 * driver (guest_ops.value). What the guest answers is hostile input: its length is
 * checked against the cap before anything is copied, and the codec's
 * decoder validates every count, depth and UTF-8 sequence.
 */
#include <stdlib.h>
#include <string.h>

#include "guests/guest.h"
#include "plugins/codec.h"
#include "plugins/host.h"
#include "sandbox.h"

#define MAX_NAME 255

/* One value operation, handed to the guest inside vm_call. */
typedef struct value_op {
    char op;                 /* 's', 'g' or 'r' (guests/guest.h) */
    const char *name;
    const char *data;        /* 's': the encoded value */
    size_t len;
    size_t cap;              /* longest answer copied */
    guest_value_outcome outcome;
    char *text;              /* its answer, host copy */
    size_t text_len;
} value_op;

static void value_guest(airlock_vm *vm, void *arg) {
    value_op *o = arg;
    o->outcome = vm->guest->value(vm, o->op, o->name, o->data, o->len, o->cap, &o->text, &o->text_len);
}

/* Forget what the guest printed since `saved` (outbufs only grow). */
static void drop_output(airlock_vm *vm, const outbuf saved[2]) {
    for (int i = 0; i < 2; i++) {
        outbuf *b = &vm->out[i];
        b->len = saved[i].len;
        b->total = saved[i].total;
        b->truncated = saved[i].truncated;
        if (b->data) b->data[b->len] = '\0';
    }
}

/* Run o in the guest as guarded work (exec.c); AIRLOCK_OK with o->text set,
 * or the failure's code with the message on sb. */
static int run_op(airlock_sandbox *sb, value_op *o) {
    if (!sb->vm->guest->value)
        return sandbox_fail(sb, AIRLOCK_MISUSE, "values are not available for the %s guest yet", sb->rt->guest->name);
    outbuf saved[2] = {sb->vm->out[0], sb->vm->out[1]};
    bool undoing = exec_guard_begin(sb, true);
    int trap = vm_call(sb->vm, value_guest, o);
    int rc = exec_guard_end(sb, trap, undoing);
    drop_output(sb->vm, saved);
    if (rc == AIRLOCK_OK && sb->vm->stop_reason) {
        sb->limit = sb->vm->stop_reason;
        rc = sandbox_fail(sb, AIRLOCK_LIMIT, "the %s limit stopped the value's crossing",
                          airlock_limit_name(sb->limit));
    } else if (rc == AIRLOCK_OK && o->outcome == GUEST_VALUE_NO_MEMORY) {
        sb->limit = AIRLOCK_LIMIT_MEMORY;
        rc = sandbox_fail(sb, AIRLOCK_LIMIT, "the value does not fit in the sandbox's memory");
    } else if (rc == AIRLOCK_OK && o->outcome == GUEST_VALUE_RAISED) {
        rc = sandbox_fail(sb, AIRLOCK_ERROR,
                          "the guest cannot take value calls (a session saved by an older airlock?)");
    } else if (rc == AIRLOCK_OK && !o->text && o->text_len > o->cap) {
        rc = sandbox_fail(sb, AIRLOCK_ERROR,
                          "the value of '%s' is too large to cross (%zu bytes encoded; the cap is %zu)", o->name,
                          o->text_len - 1, o->cap - 1);
    } else if (rc == AIRLOCK_OK && (!o->text || !o->text_len)) {
        rc = sandbox_fail(sb, AIRLOCK_TRAP, "the guest answered an unreadable value");
    }
    if (rc != AIRLOCK_OK) {
        free(o->text);
        o->text = NULL;
    }
    return rc;
}

/* The guest's "E" type "\n" message answer, as sb's failure. */
static int guest_refused(airlock_sandbox *sb, const value_op *o) {
    const char *type = o->text + 1, *nl = strchr(type, '\n');
    const char *msg = nl ? nl + 1 : "";
    int tlen = nl ? (int)(nl - type) : (int)strlen(type);
    if (strncmp(type, "MemoryError", (size_t)tlen) == 0 && tlen == 11) {
        sb->limit = AIRLOCK_LIMIT_MEMORY;
        return sandbox_fail(sb, AIRLOCK_LIMIT, "the memory limit stopped the value's crossing");
    }
    const char *what = o->op == 's' ? "set" : "read";
    return sandbox_fail(sb, AIRLOCK_ERROR, "cannot %s '%s': %.*s: %s", what, o->name, tlen, type, msg);
}

/* An ASCII identifier: the guest would accept more, but the host must not
 * have to know Python's Unicode tables. */
static bool valid_name(const char *name) {
    if (!name) return false;
    size_t n = strlen(name);
    if (n == 0 || n > MAX_NAME || (name[0] >= '0' && name[0] <= '9')) return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    }
    return true;
}

/* The arguments every value call checks first. A failed creation's handle
 * (no vm) keeps its message. */
static int check_call(airlock_sandbox *sb, const char *name) {
    if (!sb || !sb->vm) return AIRLOCK_MISUSE;
    if (!valid_name(name))
        return sandbox_fail(sb, AIRLOCK_MISUSE, "the name must be an ASCII identifier of at most %d bytes", MAX_NAME);
    return AIRLOCK_OK;
}

static codec_limits limits_of(const airlock_sandbox *sb, bool to_guest) {
    codec_limits lim = host_codec_limits(sb->rt->host, to_guest);
    lim.what = "value";
    return lim;
}

/* The host's value, checked as airlock_call_return() checks a result. */
static int check_host_value(airlock_sandbox *sb, const airlock_value *v) {
    if (!v) return sandbox_fail(sb, AIRLOCK_MISUSE, "the value is NULL");
    switch (value_poison(v)) {
    case VALUE_OK: return AIRLOCK_OK;
    case VALUE_BAD_UTF8: return sandbox_fail(sb, AIRLOCK_MISUSE, "the value holds a str that is not valid UTF-8");
    case VALUE_MISUSE: return sandbox_fail(sb, AIRLOCK_MISUSE, "the value was built wrongly (see airlock_plugin.h)");
    default: return sandbox_fail(sb, AIRLOCK_NOMEM, "the value is incomplete: the host ran out of memory making it");
    }
}

int airlock_sandbox_set_value(airlock_sandbox *sb, const char *name, const airlock_value *value) {
    int rc = check_call(sb, name);
    if (rc == AIRLOCK_OK) rc = check_host_value(sb, value);
    if (rc) return rc;
    codec_limits lim = limits_of(sb, true);
    codec_buf wire = {0};
    codec_error err;
    if (!codec_encode_result(value, &lim, &wire, &err)) {
        codec_buf_free(&wire);
        if (strcmp(err.type, "MemoryError") == 0) return sandbox_fail(sb, AIRLOCK_NOMEM, "out of memory");
        return sandbox_fail(sb, AIRLOCK_ERROR, "cannot set '%s': %s", name, err.message);
    }
    value_op o = {.op = 's', .name = name, .data = wire.data, .len = wire.len, .cap = 4096};
    rc = run_op(sb, &o);
    codec_buf_free(&wire);
    if (rc == AIRLOCK_OK && o.text[0] != 'N') rc = guest_refused(sb, &o);
    free(o.text);
    return rc;
}

/* Read global name ('g') or the last value ('r') into *out. */
static int get_value(airlock_sandbox *sb, char op, const char *name, airlock_value **out) {
    if (out) *out = NULL;
    int rc = check_call(sb, op == 'g' ? name : "_");
    if (rc) return rc;
    if (!out) return sandbox_fail(sb, AIRLOCK_MISUSE, "out is NULL");
    codec_limits lim = limits_of(sb, false);
    /* the tag, then at most max_bytes of encoded value */
    size_t cap = lim.max_bytes < SIZE_MAX - 1 ? (size_t)lim.max_bytes + 1 : SIZE_MAX - 1;
    value_op o = {.op = op, .name = name, .data = "", .len = 0, .cap = cap};
    rc = run_op(sb, &o);
    if (rc) return rc;
    if (o.text[0] == 'U') {
        rc = sandbox_fail(sb, AIRLOCK_ERROR, "no global named '%s' in the sandbox", name);
    } else if (o.text[0] != 'V') {
        rc = guest_refused(sb, &o);
    } else {
        codec_error err;
        *out = codec_decode_value((const uint8_t *)o.text + 1, o.text_len - 1, &lim, &err);
        if (!*out && strcmp(err.type, "MemoryError") == 0) rc = sandbox_fail(sb, AIRLOCK_NOMEM, "out of memory");
        else if (!*out) rc = sandbox_fail(sb, AIRLOCK_ERROR, "cannot read '%s': %s", name, err.message);
    }
    free(o.text);
    return rc;
}

int airlock_sandbox_get_value(airlock_sandbox *sb, const char *name, airlock_value **out) {
    return get_value(sb, 'g', name, out);
}

int airlock_sandbox_result_value(airlock_sandbox *sb, airlock_value **out) {
    return get_value(sb, 'r', "the last value", out);
}
