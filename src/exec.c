/*
 * exec.c - one execution, for every guest: hand the source to the guest's
 * driver (guests/guest.h), decode its answer into the result or the
 * exception, collect output and stats; after a hard stop, put the session
 * back as it was before the execution (or, for a guest that cannot roll
 * back, start it again from the start-up state).
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi/abi.h"
#include "guests/guest.h"
#include "plugins/value.h"
#include "plugins/host.h"
#include "runtime/meter.h"
#include "runtime/undo.h"
#include "sandbox.h"

/* Runs inside vm_call: everything that touches guest memory or calls guest
 * code happens in the guest's exec, where a trap is caught. */
static void guest_exec(airlock_vm *vm, void *arg) { vm->guest->exec(vm, arg); }

/* A run of identical lines (the frames of a recursion) keeps three and a
 * note of the rest, as CPython prints it. In place: a run is read whole
 * before it is written, and the note replaces at least as many bytes. */
static void collapse_repeats(char *tb) {
    enum { KEEP = 3 };
    char *out = tb, *line = tb;
    while (*line) {
        char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        size_t count = 1;
        while (strncmp(line + count * len, line, len) == 0) count++;
        char note[64];
        int nlen = snprintf(note, sizeof note, "  [Previous line repeated %zu more times]\n", count - KEEP);
        bool fold = count > KEEP && nlen > 0 && (size_t)nlen <= (count - KEEP) * len;
        size_t keep = fold ? KEEP : count;
        for (size_t i = 0; i < keep; i++) {
            memmove(out, line, len);
            out += len;
        }
        if (fold) {
            memcpy(out, note, (size_t)nlen);
            out += nlen;
        }
        line += count * len;
    }
    *out = '\0';
}

/* "Type\x04traceback" from the guest: split it into the sandbox fields. */
static void take_exception(airlock_sandbox *sb, char *text) {
    char *sep = strchr(text, '\x04');
    char *tb = sep ? sep + 1 : text;
    if (sep) *sep = '\0';
    collapse_repeats(tb);
    const char *type = sep ? text : "Exception";
    /* The message follows "Type: " on the traceback's last line that starts
     * with the type name; a bare "Type" line means no message. */
    const char *msg = "";
    size_t tlen = strlen(type);
    for (char *l = tb; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, type, tlen) == 0 && (l[tlen] == ':' || l[tlen] == '\n' || !l[tlen]))
            msg = l[tlen] == ':' ? l + tlen + (l[tlen + 1] == ' ' ? 2 : 1) : "";
    sb->err_type = strdup(type);
    sb->err_message = strndup(msg, strcspn(msg, "\n"));
    sb->err_traceback = strdup(tb);
}

/* Decode _airlock_run's tagged answer (boot.py); takes ownership of text. */
static int take_answer(airlock_sandbox *sb, char *text, size_t len) {
    int rc = AIRLOCK_OK;
    switch (text[0]) {
    case 'R':
        memmove(text, text + 1, len);
        sb->result = text;
        sb->result_len = len - 1;
        return AIRLOCK_OK;
    case 'X':
        sb->exit_code = atoi(text + 1);
        rc = AIRLOCK_EXIT;
        break;
    case 'S':
        /* SystemExit("message"): Python prints it to stderr, status 1. */
        vm_output(sb->vm, 1, text + 1, len - 1);
        vm_output(sb->vm, 1, "\n", 1);
        sb->exit_code = 1;
        rc = AIRLOCK_EXIT;
        break;
    }
    free(text);
    return rc;
}

static int finish(airlock_sandbox *sb, guest_run *run) {
    switch (run->kind) {
    case GUEST_NO_MEMORY:
        sb->err_type = strdup("MemoryError");
        sb->err_message = strdup("the source does not fit in the sandbox's memory");
        sb->err_traceback = strdup("MemoryError: the source does not fit in the sandbox's memory\n");
        return AIRLOCK_ERROR;
    case GUEST_RAISED:
        take_exception(sb, run->text);
        free(run->text);
        return AIRLOCK_ERROR;
    case GUEST_ANSWERED:
        if (run->text_len) return take_answer(sb, run->text, run->text_len);
        free(run->text);
        return sandbox_fail(sb, AIRLOCK_TRAP, "the guest answered an empty value");
    case GUEST_UNREADABLE:
        break;
    }
    free(run->text);
    return sandbox_fail(sb, AIRLOCK_TRAP, "the guest answered an unreadable value");
}

/*
 * A run that ended by an exception may have been stopped by a limit: the
 * KeyboardInterrupt of a soft stop, or MemoryError at the memory limit.
 */
static int classify_limit(airlock_sandbox *sb, int rc) {
    airlock_vm *vm = sb->vm;
    if (vm->stop_reason && rc != AIRLOCK_OK) {
        sb->limit = vm->stop_reason;
    } else if (rc == AIRLOCK_ERROR && sb->err_type && strcmp(sb->err_type, "MemoryError") == 0) {
        /* Uncaught MemoryError: the guest ran out of the memory it may have,
         * whether the host refused to grow it or the guest's allocator saw
         * the request could never fit. */
        sb->limit = AIRLOCK_LIMIT_MEMORY;
    } else {
        return rc;
    }
    sandbox_fail(sb, AIRLOCK_LIMIT, "the %s limit stopped the run", airlock_limit_name(sb->limit));
    return AIRLOCK_LIMIT;
}

/* The guest was abandoned mid-way: undo the execution, or, for a sandbox
 * that had not run anything yet, start again from the snapshot. */
static int after_trap(airlock_sandbox *sb, int trap, bool undoing) {
    airlock_vm *vm = sb->vm;
    sb->limit = vm->stop_reason;
    if (trap == WASM_RT_TRAP_EXHAUSTION && !sb->limit) sb->limit = AIRLOCK_LIMIT_STACK;
    const char *why = sb->limit ? airlock_limit_name(sb->limit) : NULL;
    int rc = why ? AIRLOCK_LIMIT : AIRLOCK_TRAP;
    host_exec_end(vm, true);
    int status;
    if (vm->guest->exited && vm->guest->exited(vm, &status)) {
        /* the guest ended itself from C (os._exit): a fresh vm, and the
         * status, as a process would give it */
        sandbox_recover(sb, trap);
        sandbox_clear_run(sb);
        sb->limit = AIRLOCK_LIMIT_NONE;
        sb->exit_code = status;
        return AIRLOCK_EXIT;
    }
    if (undoing) {
        undo_rollback(vm);
        if (vm->guest->rolled_back) vm->guest->rolled_back(vm);
        if (why) return sandbox_fail(sb, rc, "the %s limit stopped the run; the session is as it was before it", why);
        return sandbox_fail(sb, rc, "the guest trapped (%s); the session is as it was before this run",
                            vm_trap_message(trap));
    }
    return sandbox_recover(sb, trap);
}

static void record_stats(airlock_sandbox *sb, uint64_t t0, uint64_t fuel, uint64_t gcs, bool hard) {
    airlock_vm *vm = sb->vm;
    airlock_stats *st = &sb->stats;
    memset(st, 0, sizeof *st);
    st->size = sizeof *st;
    st->gc_collections = gcs;
    st->wall_ms = (double)(abi_monotonic_ns() - t0) / 1e6;
    st->memory_bytes = vm->mem->size;
    st->fuel_used = fuel;
    st->hard_stop = hard;
    st->stdout_bytes = vm->out[0].total;
    st->stderr_bytes = vm->out[1].total;
    st->stdout_truncated = vm->out[0].truncated;
    st->stderr_truncated = vm->out[1].truncated;
}

bool exec_guard_begin(airlock_sandbox *sb, bool rollback) {
    airlock_vm *vm = sb->vm;
    vm->interrupts = &sb->interrupts;
    vm->mem_limit_hit = false;
    meter_begin(vm);
    /* A sandbox fresh from the snapshot needs no undo log: the snapshot is
     * its state before the run. */
    bool undoing = false;
    if (vm->guest->undo && !vm->pristine) {
        if (rollback) undoing = undo_begin(vm);
        else undo_skip(vm);
    }
    vm->pristine = false;
    host_exec_begin(vm);
    return undoing;
}

int exec_guard_end(airlock_sandbox *sb, int trap, bool undoing) {
    int rc = AIRLOCK_OK;
    if (trap) {
        rc = after_trap(sb, trap, undoing);
    } else {
        if (undoing) undo_commit(sb->vm);
        host_exec_end(sb->vm, false);
    }
    sb->vm->interrupts = NULL; /* sb->vm: recovery may have replaced vm */
    return rc;
}

static int run(airlock_sandbox *sb, const char *src, size_t len, const char *filename, bool rollback) {
    airlock_vm *vm = sb->vm;
    sandbox_clear_run(sb);
    sb->limit = AIRLOCK_LIMIT_NONE;
    outbuf_reset(&vm->out[0], vm->limits.max_output_bytes);
    outbuf_reset(&vm->out[1], vm->limits.max_output_bytes);
    /* wall_ms starts with the deadline: the undo log's set-up (a copy of
     * all memory with explicit bounds checks) counts against the timeout,
     * so it must count in the reported time too. */
    uint64_t t0 = abi_monotonic_ns();
    uint64_t gc0 = vm->gc_count;
    bool undoing = exec_guard_begin(sb, rollback);

    /* The source as the guest compiles it (MicroPython's compatibility
     * layer rewrites it), made here, before it is copied into the guest. */
    size_t rewritten_len = 0;
    char *rewritten =
        vm->guest->prepare_source && src ? vm->guest->prepare_source(sb->rt, src, len, &rewritten_len) : NULL;
    guest_run run = {.src = rewritten ? rewritten : src ? src : "", .len = rewritten ? rewritten_len : len,
                     .filename = filename};
    int trap = vm_call(vm, guest_exec, &run);
    free(rewritten);
    uint64_t fuel = meter_fuel_used(vm), gcs = vm->gc_count - gc0;
    bool hard = vm->hard_stop;
    if (trap) free(run.text);
    int rc = exec_guard_end(sb, trap, undoing);
    if (!trap) rc = classify_limit(sb, finish(sb, &run));
    record_stats(sb, t0, fuel, gcs, hard);
    return rc;
}

/* A file name the guest can show: UTF-8, no NUL, of sane length. */
static bool valid_filename(const char *name) {
    size_t n = strlen(name);
    return n && n <= 1024 && value_utf8_valid((const uint8_t *)name, n);
}

int airlock_sandbox_exec_ex(airlock_sandbox *sb, const char *src, size_t len, const airlock_exec_options *opt) {
    if (!sb || !sb->vm || (!src && len)) return AIRLOCK_MISUSE;
    airlock_exec_options o = {.size = sizeof o};
    /* every field is optional: a struct of just `size` is a valid one */
    if (opt && sized_copy_in(&o, sizeof o, opt, offsetof(airlock_exec_options, filename)) != AIRLOCK_OK)
        return sandbox_fail(sb, AIRLOCK_MISUSE, "airlock_exec_options.size is %u: set it to "
                            "sizeof(airlock_exec_options)", (unsigned)opt->size);
    if (o.flags & ~AIRLOCK_EXEC_NO_ROLLBACK)
        return sandbox_fail(sb, AIRLOCK_MISUSE, "unknown airlock_exec_options.flags 0x%x", (unsigned)o.flags);
    if (o.filename && !valid_filename(o.filename))
        return sandbox_fail(sb, AIRLOCK_MISUSE, "the file name must be 1 to 1024 bytes of UTF-8");
    airlock_limits kept = sb->vm->limits;
    uint64_t kept_memory = sb->vm->mem_limit;
    if (o.limits) {
        int rc = sandbox_apply_limits(sb, o.limits);
        if (rc) return rc;
    }
    sb->vm->on_output = o.on_output;
    sb->vm->output_userdata = o.output_userdata;
    sb->no_rollback = o.flags & AIRLOCK_EXEC_NO_ROLLBACK;
    int rc = run(sb, src, len, o.filename ? o.filename : "<stdin>", !sb->no_rollback);
    sb->no_rollback = false;
    /* sb->vm, not a copy: recovery may have replaced the vm */
    sb->vm->on_output = NULL;
    sb->vm->limits = kept;
    sb->vm->mem_limit = kept_memory;
    return rc;
}

int airlock_sandbox_exec(airlock_sandbox *sb, const char *src, size_t len) {
    return airlock_sandbox_exec_ex(sb, src, len, NULL);
}
