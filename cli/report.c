/*
 * report.c - rendering a run for people (text) and for programs (JSON).
 */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    size_t len;
    unsigned min;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) len = 2, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, min = 0x10000;
    else return 0;
    if (len > n) return 0;
    unsigned cp = c & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

json_t *json_bytes(const char *s, size_t len) {
    if (!s) return json_null();
    /* Worst case: every byte becomes the 3-byte replacement character. */
    char *clean = malloc(len * 3 + 1);
    if (!clean) return json_null();
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq((const unsigned char *)s + i, len - i);
        if (n) {
            memcpy(clean + o, s + i, n);
            o += n;
            i += n;
        } else {
            memcpy(clean + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        }
    }
    json_t *j = json_stringn(clean, o);
    free(clean);
    return j ? j : json_null();
}

static json_t *error_json(airlock_sandbox *sb, int rc) {
    const char *type = airlock_sandbox_error_type(sb);
    if (type) {
        const char *msg = airlock_sandbox_error_message(sb), *tb = airlock_sandbox_error_traceback(sb);
        return json_pack("{s:o, s:o, s:o}", "type", json_bytes(type, strlen(type)), "message",
                         json_bytes(msg, msg ? strlen(msg) : 0), "traceback", json_bytes(tb, tb ? strlen(tb) : 0));
    }
    if (rc == AIRLOCK_EXIT && airlock_sandbox_exit_code(sb) != 0) {
        char msg[32];
        snprintf(msg, sizeof msg, "%d", airlock_sandbox_exit_code(sb));
        return json_pack("{s:s, s:s, s:s}", "type", "SystemExit", "message", msg, "traceback", "");
    }
    if (rc == AIRLOCK_TRAP || rc == AIRLOCK_LIMIT || rc == AIRLOCK_NOMEM || rc == AIRLOCK_MISUSE) {
        const char *m = airlock_sandbox_errmsg(sb);
        return json_pack("{s:s, s:o, s:s}", "type", rc == AIRLOCK_LIMIT ? "LimitExceeded" : "SandboxError", "message",
                         json_bytes(m, strlen(m)), "traceback", "");
    }
    return json_null();
}

json_t *report_json(airlock_sandbox *sb, int rc) {
    size_t out_len, err_len, res_len;
    const char *out = airlock_sandbox_stdout(sb, &out_len);
    const char *err = airlock_sandbox_stderr(sb, &err_len);
    const char *res = airlock_sandbox_result(sb, &res_len);
    airlock_stats st = {.size = sizeof st};
    airlock_sandbox_stats(sb, &st);
    const char *limit = airlock_limit_name(airlock_sandbox_limit_hit(sb));
    bool ok = rc == AIRLOCK_OK || (rc == AIRLOCK_EXIT && airlock_sandbox_exit_code(sb) == 0);
    json_t *stats = json_pack("{s:s, s:I, s:f, s:I, s:b, s:b, s:I, s:I, s:b}", "guest", airlock_sandbox_guest(sb),
                              "fuel_used", (json_int_t)st.fuel_used,
                              "wall_ms", (double)(int64_t)(st.wall_ms * 1000) / 1000, "memory_bytes", (json_int_t)st.memory_bytes,
                              "stdout_truncated", st.stdout_truncated, "stderr_truncated", st.stderr_truncated,
                              "stdout_bytes", (json_int_t)st.stdout_bytes, "stderr_bytes",
                              (json_int_t)st.stderr_bytes, "hard_stop", st.hard_stop);
    return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o, s:o}", "ok", ok, "stdout", json_bytes(out, out_len), "stderr",
                     json_bytes(err, err_len), "result", res ? json_bytes(res, res_len) : json_null(), "error",
                     error_json(sb, rc), "limit", limit ? json_string(limit) : json_null(), "stats",
                     stats ? stats : json_object());
}

void report_stream(void *userdata, int stream, const char *data, size_t len) {
    (void)userdata;
    FILE *f = stream == AIRLOCK_STDOUT ? stdout : stderr;
    fwrite(data, 1, len, f);
    fflush(f);
}

void report_text(airlock_sandbox *sb, int rc, bool streamed) {
    if (!streamed) {
        size_t len;
        const char *out = airlock_sandbox_stdout(sb, &len);
        fwrite(out, 1, len, stdout);
        fflush(stdout);
        const char *err = airlock_sandbox_stderr(sb, &len);
        fwrite(err, 1, len, stderr);
    }
    airlock_stats st = {.size = sizeof st};
    airlock_sandbox_stats(sb, &st);
    if (st.stdout_truncated || st.stderr_truncated)
        fprintf(stderr, "airlock: output beyond --max-output was dropped (%s%s%s)\n",
                st.stdout_truncated ? "stdout" : "", st.stdout_truncated && st.stderr_truncated ? ", " : "",
                st.stderr_truncated ? "stderr" : "");
    const char *tb = airlock_sandbox_error_traceback(sb);
    if (tb) fputs(tb, stderr);
    if (rc == AIRLOCK_LIMIT || rc == AIRLOCK_TRAP || rc == AIRLOCK_NOMEM || rc == AIRLOCK_MISUSE)
        fprintf(stderr, "airlock: %s\n", airlock_sandbox_errmsg(sb));
}

int report_exit_status(airlock_sandbox *sb, int rc) {
    switch (rc) {
    case AIRLOCK_OK: return EXIT_OK;
    case AIRLOCK_EXIT: return airlock_sandbox_exit_code(sb) & 0xFF;
    case AIRLOCK_LIMIT: return EXIT_LIMIT;
    default: return EXIT_PYTHON;
    }
}
