/*
 * exec.c - the one way source enters the MicroPython guest: copied into a
 * guest allocation (mp_put_bytes, every address through vm_ptr), then run
 * by the driver's _airlock_run (boot.py, through driver.c) for executions,
 * or by the port's mp_js_do_exec for the host's own source (boot, host
 * modules, reseeding).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guests/micropython/driver.h"
#include "guests/micropython/micropython.h"
#include "guests/micropython/slot.h"

uint32_t mp_put_bytes(airlock_vm *vm, const void *data, size_t len) {
    if (len >= UINT32_MAX) return 0;
    uint32_t addr = Z_guestZ_malloc(&vm->inst, (uint32_t)len + 1);
    uint8_t *p = addr ? vm_ptr(vm, addr, (uint64_t)len + 1) : NULL;
    if (!p) return 0;
    memcpy(p, data, len);
    p[len] = 0;
    return addr;
}

/* ---- the host's own source ------------------------------------------------ */

bool mp_run_source(airlock_vm *vm, uint32_t out, const char *src, size_t len, char *err, size_t errsize) {
    uint32_t buf = mp_put_bytes(vm, src, len);
    if (!buf) {
        snprintf(err, errsize, "out of guest memory");
        return false;
    }
    Z_guestZ_mp_js_do_exec(&vm->inst, buf, (uint32_t)len, out);
    Z_guestZ_free(&vm->inst, buf);
    slot s;
    if (!slot_read(vm, out, &s)) {
        snprintf(err, errsize, "the guest answered outside its memory");
        return false;
    }
    if (s.kind != SLOT_MP_EXCEPTION) return true;
    const uint8_t *text = vm_ptr(vm, s.b, s.a);
    size_t n = text ? (s.a < errsize - 1 ? s.a : errsize - 1) : 0;
    if (text) memcpy(err, text, n);
    err[n] = '\0';
    for (char *c = err; *c; c++)
        if (*c == '\x04') *c = ':';
    Z_guestZ_free(&vm->inst, s.b);
    return false;
}

bool mp_run_trusted(airlock_vm *vm, const char *src, char *err, size_t errsize) {
    return mp_run_source(vm, vm->slots + SLOT_SIZE, src, strlen(src), err, errsize);
}

/* ---- executions ------------------------------------------------------------- */

/* An exception's text longer than cap keeps its start (the type, the
 * outermost frames) and its end (the innermost frames and the message),
 * cut at line ends: a deep recursion's traceback has thousands of frames. */
static char *copy_guest_ends(airlock_vm *vm, uint32_t ptr, uint32_t len, size_t cap, size_t *out_len) {
    if (len <= cap) return driver_copy(vm, ptr, len, cap, out_len);
    static const char gap[] = "  ...\n";
    const char *p = (const char *)vm_ptr(vm, ptr, len);
    if (!p) return NULL;
    size_t head = cap / 2, tail_start = len - cap / 2;
    const char *nl = memrchr(p, '\n', head);
    head = nl ? (size_t)(nl - p) + 1 : head;
    nl = memchr(p + tail_start, '\n', len - tail_start);
    if (nl && nl + 1 < p + len) tail_start = (size_t)(nl - p) + 1;
    size_t n = head + sizeof gap - 1 + (len - tail_start);
    char *s = malloc(n + 1);
    if (!s) return NULL;
    memcpy(s, p, head);
    memcpy(s + head, gap, sizeof gap - 1);
    memcpy(s + head + sizeof gap - 1, p + tail_start, len - tail_start);
    s[n] = '\0';
    *out_len = n;
    return s;
}

/* Drop airlock's own frames from a traceback, in place: boot.py's
 * _airlock_run, and the compatibility library's shims (/lib/_airlock*.py),
 * which stand in for builtins whose frames CPython would not show. */
static void strip_driver_frames(char *tb) {
    char *line = tb;
    while (*line) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        if (memmem(line, len, "in _airlock_run", 15) || memmem(line, len, "File \"/lib/_airlock", 19))
            memmove(line, line + len, strlen(line + len) + 1);
        else
            line += len;
    }
}

/* _airlock_run(src, name) (driver.c). */
void mp_exec(airlock_vm *vm, guest_run *run) {
    const driver_arg args[2] = {{run->src, run->len}, {run->filename, strlen(run->filename)}};
    slot answer;
    if (!driver_call(vm, args, 2, &answer)) {
        run->kind = GUEST_NO_MEMORY;
        return;
    }
    run->kind = GUEST_UNREADABLE;
    if (answer.kind == SLOT_MP_STR) {
        run->text = driver_copy(vm, answer.b, answer.a, GUEST_RESULT_CAP, &run->text_len);
        if (run->text) run->kind = GUEST_ANSWERED;
    } else if (answer.kind == SLOT_MP_EXCEPTION) {
        run->text = copy_guest_ends(vm, answer.b, answer.a, GUEST_ERROR_CAP, &run->text_len);
        if (run->text) {
            strip_driver_frames(run->text);
            run->text_len = strlen(run->text);
            run->kind = GUEST_RAISED;
        }
        Z_guestZ_free(&vm->inst, answer.b); /* a malloc'd buffer we must give back */
    }
}
