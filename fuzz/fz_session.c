/*
 * fz_session.c - the session-file loader (airlock_sandbox_load_buffer).
 *
 * Random bytes rarely get past a session file's header (magic, version,
 * guest sha256, layout id) and its two checksums, so most inputs are edits
 * of a real session instead: at start-up a fresh sandbox (with a little
 * state) is saved, and the input patches that file:
 *
 *   byte 0   bit 0: recompute both checksums after patching, so the edits
 *                   reach the parser behind them
 *            bit 1: run a small program in the loaded sandbox
 *            bit 2: the rest of the input is a whole file, not patches
 *            bit 3: save the loaded sandbox again (to a buffer), which
 *                   reads its heap records and may collect, and load that
 *   patches  {u32 offset, u8 length, bytes}: half of them land in the
 *            first 8 KiB (header, globals, working directory, first page
 *            index), the rest anywhere; offset 0xFFFFFFFF truncates the file
 *            at the next u32.
 *
 * A forged file may give the guest any state it could give itself; loading
 * must end in AIRLOCK_OK or AIRLOCK_CORRUPT (or NOMEM), running code in a
 * loaded sandbox in a documented code, and saving it in AIRLOCK_OK (a
 * collection that traps on a garbled heap is undone; the image keeps its
 * garbage) or an I/O error: never a host crash.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "airlock.h"
#include "fuzz/input.h"
#include "guests/micropython/image.h"

#define HEADER_BYTES SESSION_HEADER_BYTES

static airlock_runtime *rt;
static uint8_t *template_file;
static size_t template_len;
static uint8_t *work;

/* Make the checksums match the (patched) contents, as session.c computes them. */
static void fix_checksums(uint8_t *f, size_t len) {
    if (len >= HEADER_BYTES) image_seal(f, len);
}

static void save_template(void) {
    airlock_limits lim = {.size = sizeof(airlock_limits), .memory_bytes = 64u << 20, .fuel = 50000000, .timeout_seconds = 1.0};
    airlock_sandbox *sb = NULL;
    if (airlock_runtime_new(&rt) || airlock_runtime_set_limits(rt, &lim) || airlock_sandbox_new(rt, &sb)) abort();
    static const char code[] = "x = {'a': [1, 2.5, 'three']}\ndef f(n): return n * 2\n";
    if (airlock_sandbox_exec(sb, code, sizeof code - 1) != AIRLOCK_OK) abort();
    char path[64];
    snprintf(path, sizeof path, "/tmp/airlock-fz-session-%d", (int)getpid());
    if (airlock_sandbox_save(sb, path) != AIRLOCK_OK) abort();
    airlock_sandbox_free(sb);
    FILE *f = fopen(path, "rb");
    if (!f) abort();
    fseek(f, 0, SEEK_END);
    template_len = (size_t)ftell(f);
    rewind(f);
    template_file = malloc(template_len);
    work = malloc(template_len + 1);
    if (!template_file || !work || fread(template_file, 1, template_len, f) != template_len) abort();
    fclose(f);
    unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    save_template();
    return 0;
}

/* Apply the input's patches to a copy of the template; returns its length. */
static size_t patched(fz_input *in) {
    memcpy(work, template_file, template_len);
    size_t len = template_len;
    while (in->left) {
        uint32_t off = fz_u32(in);
        if (off == UINT32_MAX) {
            uint32_t cut = fz_u32(in);
            if (cut < len) len = cut;
            continue;
        }
        if (len == 0) break; /* truncated to nothing: no byte left to patch */
        size_t at = (off & 1) ? (off >> 1) % (len < 8192 ? len : 8192) : (off >> 1) % len;
        size_t n = fz_u8(in);
        for (size_t i = 0; i < n && in->left; i++) {
            uint8_t b = fz_u8(in);
            if (at + i < len) work[at + i] = b;
        }
    }
    return len;
}

/* Save a loaded sandbox and load what was saved. */
static void resave(airlock_sandbox *sb) {
    void *image = NULL;
    size_t len = 0;
    int rc = airlock_sandbox_save_buffer(sb, &image, &len);
    if (rc != AIRLOCK_OK && rc != AIRLOCK_IOERR && rc != AIRLOCK_NOMEM) {
        fprintf(stderr, "saving a loaded session returned %d: %s\n", rc, airlock_sandbox_errmsg(sb));
        abort();
    }
    if (rc != AIRLOCK_OK) return;
    airlock_sandbox *again = NULL;
    rc = airlock_sandbox_load_buffer(rt, image, len, &again);
    if (rc != AIRLOCK_OK && rc != AIRLOCK_CORRUPT && rc != AIRLOCK_NOMEM) {
        fprintf(stderr, "loading a re-saved session returned %d: %s\n", rc, airlock_sandbox_errmsg(again));
        abort();
    }
    airlock_sandbox_free(again);
    airlock_buffer_free(image);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!rt) LLVMFuzzerInitialize(NULL, NULL);
    fz_input in = {data, size};
    uint8_t mode = fz_u8(&in);
    const uint8_t *file = work;
    size_t len;
    if (mode & 4) {
        file = in.p;
        len = in.left;
        if (mode & 1) { /* fix up a copy: the input itself is read-only */
            len = len < template_len ? len : template_len;
            memcpy(work, in.p, len);
            file = work;
        }
    } else {
        len = patched(&in);
    }
    if (mode & 1) fix_checksums(work, len);
    airlock_sandbox *sb = NULL;
    int rc = airlock_sandbox_load_buffer(rt, file, len, &sb);
    if (rc != AIRLOCK_OK && rc != AIRLOCK_CORRUPT && rc != AIRLOCK_NOMEM) {
        fprintf(stderr, "load returned %d: %s\n", rc, airlock_sandbox_errmsg(sb));
        abort();
    }
    bool loaded = rc == AIRLOCK_OK;
    if (loaded && (mode & 2)) {
        static const char code[] = "print(f(21), x)\nimport gc\ngc.collect()\n";
        rc = airlock_sandbox_exec(sb, code, sizeof code - 1);
        if (rc < AIRLOCK_OK || rc > AIRLOCK_EXIT || rc == AIRLOCK_MISUSE || rc == AIRLOCK_NOMEM) {
            fprintf(stderr, "exec in a loaded session returned %d: %s\n", rc, airlock_sandbox_errmsg(sb));
            abort();
        }
    }
    if (loaded && (mode & 8)) resave(sb);
    airlock_sandbox_free(sb);
    return 0;
}
