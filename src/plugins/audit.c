/*
 * audit.c - one JSON line per host call, to a callback and/or a file.
 * File operations of the guest on its grants, and refusals of paths, are
 * records of the same shape: plugin "files", module the guest path,
 * function the operation, reason the open mode (or why it was refused),
 * error the errno name when it failed; never any file contents.
 *
 * The file is opened with O_APPEND and every record is written with a single
 * write(2), so lines from sandboxes on different threads (or processes
 * sharing the file) do not interleave.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "plugins/host.h"
#include "plugins/runtime.h"

bool host_audit_enabled(const host_registry *reg) { return reg && (reg->audit_fn || reg->audit_fd >= 0); }

/* Append s as a JSON string (NULL as null) to b. */
static void json_str(codec_buf *b, const char *s) {
    if (!s) {
        codec_buf_put(b, "null", 4);
        return;
    }
    codec_buf_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            snprintf(esc, sizeof esc, "\\%c", *p);
            codec_buf_put(b, esc, 2);
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            codec_buf_put(b, esc, 6);
        } else {
            codec_buf_put(b, p, 1); /* UTF-8 passes as is; messages were made valid */
        }
    }
    codec_buf_put(b, "\"", 1);
}

static void field(codec_buf *b, const char *name, const char *value) {
    codec_buf_put(b, ",\"", 2);
    codec_buf_put(b, name, strlen(name));
    codec_buf_put(b, "\":", 2);
    json_str(b, value);
}

void host_audit_emit(host_registry *reg, const host_audit *a) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[64], num[160];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    codec_buf b = {0};
    codec_buf_put(&b, "{\"time\":", 8);
    json_str(&b, stamp);
    field(&b, "plugin", a->plugin);
    field(&b, "module", a->module);
    field(&b, "function", a->function);
    field(&b, "decision", a->allowed ? "allowed" : "denied");
    field(&b, "reason", a->reason);
    field(&b, "error", a->error);
    snprintf(num, sizeof num, ",\"bytes_in\":%llu,\"bytes_out\":%llu,\"duration_ms\":%.3f}",
             (unsigned long long)a->bytes_in, (unsigned long long)a->bytes_out, a->duration_ms);
    codec_buf_put(&b, num, strlen(num));
    if (!b.data) return; /* out of memory: nothing sensible to write */
    if (reg->audit_fn) {
        airlock_audit_record rec = {
            .time = (double)tv.tv_sec + (double)tv.tv_usec / 1e6,
            .plugin = a->plugin, .module = a->module, .function = a->function,
            .allowed = a->allowed, .reason = a->reason, .error = a->error,
            .bytes_in = a->bytes_in, .bytes_out = a->bytes_out,
            .duration_ms = a->duration_ms, .json = b.data,
        };
        reg->audit_fn(reg->audit_userdata, &rec);
    }
    if (reg->audit_fd >= 0) {
        codec_buf_put(&b, "\n", 1);
        ssize_t w = write(reg->audit_fd, b.data, b.len);
        (void)w; /* a full disk must not break the guest's call */
    }
    codec_buf_free(&b);
}

void host_audit_file(void *ctx, const vfs_audit_event *e) {
    airlock_vm *vm = ctx;
    host_audit a = {
        .plugin = "files", .module = e->path, .function = e->op, .allowed = !e->refused,
        .reason = e->refused ? e->refused : e->mode, .error = e->rc ? vfs_errno_name(e->rc) : NULL,
    };
    host_audit_emit(vm->host, &a);
}

int airlock_runtime_audit_file(airlock_runtime *rt, const char *path) {
    if (!rt) return AIRLOCK_MISUSE;
    if (!path || !*path) {
        return runtime_fail(rt, AIRLOCK_MISUSE, "the audit log needs a file name");
    }
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return runtime_fail(rt, AIRLOCK_IOERR, "cannot open the audit log %.300s: %m", path);
    }
    pthread_mutex_lock(runtime_lock(rt));
    host_registry *reg = !runtime_booted(rt) ? host_registry_of(rt) : NULL;
    if (reg) {
        if (reg->audit_fd >= 0) close(reg->audit_fd);
        reg->audit_fd = fd;
    }
    pthread_mutex_unlock(runtime_lock(rt));
    if (!reg) {
        close(fd);
        return runtime_fail(rt, AIRLOCK_MISUSE, "the audit log must be set before the first sandbox is created");
    }
    return AIRLOCK_OK;
}
