/*
 * call.c - one host call, for every guest: from the encoded call the guest
 * sent, through the callback, to the answer the guest's end hands back
 * (guests/micropython/host.c: its value slot; plugins/device.c: the host
 * device); and the airlock_call_* accessors.
 *
 * Nothing the guest sends is trusted: the blob, the fingerprint and the
 * function number are all checked before any callback runs, and a refusal
 * is audited like any other call.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "abi/abi.h"
#include "plugins/builtin.h"
#include "plugins/host.h"
#include "runtime/meter.h"

struct airlock_call {
    const host_fn *fn;
    const airlock_value *args, *kwargs;
    airlock_value *result;
    bool answered, raised, denied;
    const char *exc_type;         /* static, or exc_name */
    char exc_name[64];
    char message[1024];
    char deny_reason[160];
};

/* ---- accessors ---------------------------------------------------------------- */

size_t airlock_call_argc(const airlock_call *c) { return airlock_value_len(c->args); }
const airlock_value *airlock_call_arg(const airlock_call *c, size_t i) { return airlock_value_item(c->args, i); }
size_t airlock_call_kwargc(const airlock_call *c) { return airlock_value_len(c->kwargs); }
const char *airlock_call_kwname(const airlock_call *c, size_t i) { return airlock_value_key(c->kwargs, i); }

const airlock_value *airlock_call_kwarg(const airlock_call *c, const char *name) {
    return airlock_value_get(c->kwargs, name);
}

const airlock_value *airlock_call_param(const airlock_call *c, size_t pos, const char *name) {
    const airlock_value *v = airlock_call_arg(c, pos);
    return v ? v : name ? airlock_call_kwarg(c, name) : NULL;
}

void *airlock_call_userdata(const airlock_call *c) { return c->fn->userdata; }
const char *airlock_call_module(const airlock_call *c) { return c->fn->module; }
const char *airlock_call_function(const airlock_call *c) { return c->fn->name; }
uint64_t airlock_call_exec(const airlock_call *c) {
    (void)c; /* a call runs on its sandbox's thread, inside its execution */
    const airlock_vm *vm = host_calling_vm();
    return vm ? vm->exec_id : 0;
}

static const char *kind_name(airlock_kind k) {
    static const char *const names[] = {"None", "bool", "int", "float", "str", "bytes", "list", "dict"};
    return (unsigned)k < sizeof names / sizeof *names ? names[k] : "?";
}

/* The argument at pos/name of kind, or a TypeError raised. */
static const airlock_value *get_kind(airlock_call *c, size_t pos, const char *name, airlock_kind kind) {
    const airlock_value *v = airlock_call_param(c, pos, name);
    const char *label = name ? name : "argument";
    if (!v) {
        airlock_call_raise(c, "TypeError", "%s() missing required argument '%s' (pos %zu)", c->fn->name, label,
                           pos + 1);
        return NULL;
    }
    if (airlock_value_kind(v) != kind) {
        airlock_call_raise(c, "TypeError", "%s() argument '%s' must be %s, not %s", c->fn->name, label,
                           kind_name(kind), kind_name(airlock_value_kind(v)));
        return NULL;
    }
    return v;
}

int airlock_call_get_str(airlock_call *c, size_t pos, const char *name, const char **s, size_t *len) {
    const airlock_value *v = get_kind(c, pos, name, AIRLOCK_STR);
    if (!v) return AIRLOCK_ERROR;
    *s = airlock_value_str(v, len);
    return AIRLOCK_OK;
}

int airlock_call_get_int(airlock_call *c, size_t pos, const char *name, int64_t *out) {
    const airlock_value *v = get_kind(c, pos, name, AIRLOCK_INT);
    if (!v) return AIRLOCK_ERROR;
    *out = airlock_value_int(v);
    return AIRLOCK_OK;
}

int airlock_call_return(airlock_call *c, airlock_value *result) {
    airlock_value_free(c->result);
    c->result = result;
    c->answered = true;
    if (!result) return airlock_call_raise(c, "MemoryError", "the host ran out of memory making the result");
    return AIRLOCK_OK;
}

/* A safe exception name: letters, digits, '_' and '.', not empty. */
static bool exc_name_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n >= 64) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '.'))
            return false;
    }
    return true;
}

static int vraise(airlock_call *c, const char *type, const char *fmt, va_list ap) {
    c->raised = true;
    if (type && exc_name_ok(type)) {
        snprintf(c->exc_name, sizeof c->exc_name, "%s", type);
        c->exc_type = c->exc_name;
    } else {
        c->exc_type = "RuntimeError";
    }
    vsnprintf(c->message, sizeof c->message, fmt ? fmt : "", ap);
    return AIRLOCK_ERROR;
}

int airlock_call_raise(airlock_call *c, const char *type, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = vraise(c, type, fmt, ap);
    va_end(ap);
    return rc;
}

void airlock_call_note_denied(airlock_call *c, const char *reason) {
    c->denied = true;
    snprintf(c->deny_reason, sizeof c->deny_reason, "%s", reason ? reason : "denied");
}

int airlock_call_deny(airlock_call *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int rc = vraise(c, "PermissionError", fmt, ap);
    va_end(ap);
    airlock_call_note_denied(c, c->message);
    return rc;
}

/* ---- one call ------------------------------------------------------------------- */

static double now_ms(void) { return (double)abi_monotonic_ns() / 1e6; }

typedef struct outcome {
    host_audit audit;            /* reason and error are malloc'd */
} outcome;

static void error_text(airlock_vm *vm, const char *type, const char *msg) {
    if (!codec_encode_error(type, msg, vm->host_buf)) vm->host_buf->len = 0;
}

/* Run the callback of fn with the decoded call: the result, or NULL with
 * the exception's text in vm->host_buf. */
static airlock_value *invoke(airlock_vm *vm, const host_fn *fn, codec_call *dc, outcome *o) {
    airlock_call call = {.fn = fn, .args = dc->args, .kwargs = dc->kwargs};
    int rc = fn->fn(&call);
    /* A call that ran into the deadline or an interrupt (a slow query, a
     * slow server) stops the run now: otherwise the exception it raised
     * could end the run as an ordinary error before the meter's next check. */
    int stop = host_stop_pending();
    if (stop) meter_soft_stop(vm, stop);
    codec_call_free(dc);
    o->audit.allowed = !call.denied;
    o->audit.reason = call.denied ? strdup(call.deny_reason) : NULL;
    if (!call.raised && rc != AIRLOCK_OK)
        airlock_call_raise(&call, "RuntimeError", "host function %s.%s failed", fn->module, fn->name);
    airlock_value *result = NULL;
    if (!call.raised) {
        result = call.result ? call.result : airlock_value_new_none();
        if (!result) airlock_call_raise(&call, "MemoryError", "out of host memory");
    }
    if (call.raised) {
        airlock_value_free(call.result);
        o->audit.error = strdup(call.exc_type);
        error_text(vm, call.exc_type, call.message);
        return NULL;
    }
    return result;
}

/* Send result (freed here): true if put() passed it to the guest directly
 * (a scalar in MicroPython's slot), false if vm->host_buf now holds the
 * text to send (the value or an error). */
static bool deliver(airlock_vm *vm, host_registry *reg, airlock_value *result, const host_put *put, outcome *o) {
    bool sent = put && put->fn(vm, result, put->ctx);
    if (sent) {
        o->audit.bytes_out = 8;
    } else if (!codec_encode_scalar(result, vm->host_buf)) {
        codec_limits lim = host_codec_limits(reg, true);
        codec_error err;
        if (!codec_encode_result(result, &lim, vm->host_buf, &err)) {
            o->audit.error = strdup(err.type);
            error_text(vm, err.type, err.message);
        }
    }
    airlock_value_free(result);
    return sent;
}

/* Decode and check the call (blob NULL: the guest sent no str); on
 * refusal fill o and vm->host_buf. */
static const host_fn *admit(airlock_vm *vm, host_registry *reg, const uint8_t *blob, size_t len, codec_call *dc,
                            outcome *o) {
    o->audit.bytes_in = blob ? len : 0;
    codec_limits lim = host_codec_limits(reg, false);
    codec_error err = {0};
    if (!blob) {
        err.type = "TypeError";
        snprintf(err.message, sizeof err.message, "malformed host call");
    } else if (codec_decode_call(blob, len, &lim, dc, &err)) { /* checks len against the cap first */
        if (dc->fingerprint == reg->fingerprint && dc->fid < reg->nfns) return &reg->fns[dc->fid];
        codec_call_free(dc);
        err.type = "PermissionError";
        snprintf(err.message, sizeof err.message, "no such host function (a session from another configuration?)");
    }
    o->audit.allowed = false;
    o->audit.reason = strdup(err.message);
    o->audit.error = strdup(err.type);
    error_text(vm, err.type, err.message);
    return NULL;
}

host_served host_call_serve(airlock_vm *vm, const uint8_t *blob, size_t len, const host_put *put) {
    host_registry *reg = vm->host;
    if (!vm->host_buf && !(vm->host_buf = calloc(1, sizeof *vm->host_buf))) return HOST_SERVED_NOMEM;
    vm->host_buf->len = 0;
    if (!reg || !reg->nfns) {
        /* e.g. a session saved where host functions existed, loaded where none do */
        error_text(vm, "PermissionError", "this sandbox has no host functions");
        return HOST_SERVED_TEXT;
    }
    double t0 = now_ms();
    outcome o = {.audit = {.plugin = "?", .module = "?", .function = "?"}};
    codec_call dc;
    bool sent = false;
    const host_fn *fn = admit(vm, reg, blob, len, &dc, &o);
    if (fn) {
        o.audit.plugin = fn->plugin->name;
        o.audit.module = fn->module;
        o.audit.function = fn->name;
        airlock_value *result = invoke(vm, fn, &dc, &o);
        if (result) sent = deliver(vm, reg, result, put, &o);
    }
    if (!sent) o.audit.bytes_out = vm->host_buf->len;
    o.audit.duration_ms = now_ms() - t0;
    if (host_audit_enabled(reg)) host_audit_emit(reg, &o.audit);
    free((char *)o.audit.reason);
    free((char *)o.audit.error);
    return sent ? HOST_SERVED_SENT : HOST_SERVED_TEXT;
}
