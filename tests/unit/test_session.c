/*
 * test_session.c - clones, session files, and every kind of bad file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "runtime/image.h"
#include "testutil.h"

static char path[64];

static void make_path(void) {
    snprintf(path, sizeof path, "/tmp/airlock-test-%d.session", (int)getpid());
}

static uint8_t *read_file(size_t *len) {
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    uint8_t *buf = malloc(*len);
    ck_assert_uint_eq(fread(buf, 1, *len, f), *len);
    fclose(f);
    return buf;
}

/* A saved session with some state, read back into memory. */
static uint8_t *saved_session(size_t *len) {
    make_path();
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "x = 41\ndef f(): return x + 1\nimport os", "");
    ck_assert_int_eq(airlock_sandbox_save(sb, path), AIRLOCK_OK);
    airlock_sandbox_free(sb);
    return read_file(len);
}

/* A run that changes state (clobber) and then swallows every
 * KeyboardInterrupt until the timeout's hard stop: it must be rolled back. */
static void ck_hard_stop_rolls_back(airlock_sandbox *sb, const char *clobber) {
    airlock_limits l = {.size = sizeof(airlock_limits), .timeout_seconds = 0.2};
    airlock_sandbox_set_limits(sb, &l);
    char code[256];
    snprintf(code, sizeof code, "%s\nwhile True:\n try:\n  while True: pass\n except KeyboardInterrupt: pass",
             clobber);
    ck_assert_int_eq(run(sb, code), AIRLOCK_LIMIT);
}

START_TEST(save_and_load_round_trip) {
    size_t len;
    free(saved_session(&len));
    airlock_sandbox *sb = NULL;
    ck_assert_int_eq(airlock_sandbox_load(shared_runtime(), path, &sb), AIRLOCK_OK);
    ck_run_prints(sb, "print(f())", "42\n");
    /* a loaded session is a full session: limits and rollback work */
    ck_hard_stop_rolls_back(sb, "x = 0");
    ck_run_prints(sb, "print(f())", "42\n");
    airlock_sandbox_free(sb);
    unlink(path);
}
END_TEST

static uint32_t u32_at(const uint8_t *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t u64_at(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

#define FORMAT_AT 8
#define PAGE_COUNT_AT 92
#define BASE_ID_AT 96
#define HEADER_SUM_AT 112

/*
 * A default runtime's sessions hold only the pages that differ from the
 * built-in snapshot (base_id set): a small session is a small file (a
 * whole-memory image of the same state was 316 KB, 77 pages), and it loads
 * back exactly, including pages it changed back to zero.
 */
START_TEST(session_files_hold_only_pages_that_differ) {
    size_t len;
    uint8_t *file = saved_session(&len);
    ck_assert_uint_eq(u32_at(file + FORMAT_AT), 3);
    ck_assert_uint_ne(u64_at(file + BASE_ID_AT), 0);
    ck_assert_msg(len < 200 * 1024, "%zu bytes, %u pages", len, u32_at(file + PAGE_COUNT_AT));
    free(file);
    airlock_sandbox *sb = NULL;
    ck_assert_int_eq(airlock_sandbox_load(shared_runtime(), path, &sb), AIRLOCK_OK);
    ck_run_prints(sb, "print(f(), os.getcwd())", "42 /\n");
    /* memory that grew and was zeroed again, saved and loaded once more */
    ck_run_prints(sb, "big = bytearray(8 << 20)\nbig[-1] = 7\ndel big\nimport gc\ngc.collect()", "");
    ck_assert_int_eq(airlock_sandbox_save(sb, path), AIRLOCK_OK);
    airlock_sandbox_free(sb);
    ck_assert_int_eq(airlock_sandbox_load(shared_runtime(), path, &sb), AIRLOCK_OK);
    ck_run_prints(sb, "print(f())\nb = bytearray(8 << 20)\nprint(sum(b))", "42\n0\n");
    airlock_sandbox_free(sb);
    unlink(path);
}
END_TEST

/* One more run of code on the session in *image (a buffer), as a CLI run
 * with --session does it: a new sandbox loaded from it, saved back. */
static void run_on_session(void **image, size_t *len, const char *code) {
    airlock_sandbox *sb = NULL;
    ck_assert_int_eq(airlock_sandbox_load_buffer(shared_runtime(), *image, *len, &sb), AIRLOCK_OK);
    ck_run_prints(sb, code, "");
    airlock_buffer_free(*image);
    ck_assert_int_eq(airlock_sandbox_save_buffer(sb, image, len), AIRLOCK_OK);
    airlock_sandbox_free(sb);
}

/*
 * Garbage does not pile up in a session: MicroPython collects only when an
 * allocation finds no room, and a session saved after each small run grew
 * by about 2 KB a run (400 runs: 1 MB) until its heap area was full. Saving
 * collects once the garbage outgrows a bounded allowance, and pages only
 * free heap blocks cover are not saved; the state survives both.
 */
START_TEST(sessions_do_not_grow_with_garbage) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "x = []", "");
    void *image;
    size_t len, after_20 = 0, largest_late = 0;
    ck_assert_int_eq(airlock_sandbox_save_buffer(sb, &image, &len), AIRLOCK_OK);
    airlock_sandbox_free(sb);
    for (int i = 1; i <= 400; i++) {
        run_on_session(&image, &len, "x.append(len(x))\ny = [str(i) for i in range(20)]");
        if (i == 20) after_20 = len;
        if (i > 200 && len > largest_late) largest_late = len;
    }
    ck_assert_msg(largest_late < after_20 + 256 * 1024, "after 20 runs %zu bytes, runs 201-400 up to %zu",
                  after_20, largest_late);
    ck_assert_int_eq(airlock_sandbox_load_buffer(shared_runtime(), image, len, &sb), AIRLOCK_OK);
    ck_run_prints(sb, "print(len(x), x == list(range(400)), y[-1])", "400 True 19\n");
    airlock_buffer_free(image);
    /* a sandbox that goes on after its saves: a save's collection leaves
     * rollback working (memory the undo log guards is written there) */
    for (int i = 0; i < 300; i++) {
        ck_run_prints(sb, "x.append(len(x))\ny = [str(i) for i in range(20)]", "");
        ck_assert_int_eq(airlock_sandbox_save_buffer(sb, &image, &len), AIRLOCK_OK);
        airlock_buffer_free(image);
    }
    ck_hard_stop_rolls_back(sb, "x.clear()");
    ck_run_prints(sb, "print(len(x), x == list(range(700)))", "700 True\n");
    airlock_sandbox_free(sb);
}
END_TEST

/* A save's collection that outlasts the sandbox's timeout is abandoned and
 * undone: the session is saved with its garbage, and goes on as before
 * (the collector's lock and marks are not left half-set). */
START_TEST(a_collection_past_the_timeout_is_undone) {
    airlock_sandbox *sb = new_sandbox();
    /* no collection while the garbage is made (the heap grows instead) */
    ck_run_prints(sb, "keep = [str(i) for i in range(100000)]\nimport gc\ngc.collect()\ngc.disable()\n"
                      "junk = [str(i) * 3 for i in range(200000)]\ndel junk", "");
    airlock_limits l = {.size = sizeof(airlock_limits), .timeout_seconds = 1e-6};
    airlock_sandbox_set_limits(sb, &l);
    void *image;
    size_t with_garbage, collected;
    ck_assert_int_eq(airlock_sandbox_save_buffer(sb, &image, &with_garbage), AIRLOCK_OK);
    airlock_buffer_free(image);
    l.timeout_seconds = 10;
    airlock_sandbox_set_limits(sb, &l);
    ck_run_prints(sb, "more = [bytes(50) for i in range(1000)]\nprint(len(keep), keep[-1], len(more))",
                  "100000 99999 1000\n");
    ck_assert_int_eq(airlock_sandbox_save_buffer(sb, &image, &collected), AIRLOCK_OK);
    ck_assert_msg(collected < with_garbage / 2, "%zu bytes after the undone collection, %zu after one",
                  with_garbage, collected);
    airlock_buffer_free(image);
    airlock_sandbox_free(sb);
}
END_TEST

/* Heap pages that only free blocks cover are left out of the file: 2.5 MB
 * of objects freed before the save do not make it bigger, and what the
 * next allocations get there reads as new. */
START_TEST(free_heap_pages_are_not_saved) {
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "keep = {i: str(i) for i in range(1000)}\n"
                      "junk = [bytes(100) for i in range(20000)]\n"
                      "del junk\nimport gc\ngc.collect()", "");
    void *image;
    size_t len;
    ck_assert_int_eq(airlock_sandbox_save_buffer(sb, &image, &len), AIRLOCK_OK);
    airlock_sandbox_free(sb);
    ck_assert_msg(len < 600 * 1024, "%zu bytes", len);
    ck_assert_int_eq(airlock_sandbox_load_buffer(shared_runtime(), image, len, &sb), AIRLOCK_OK);
    ck_run_prints(sb, "new = [bytearray(100) for i in range(20000)]\n"
                      "print(sum(sum(b) for b in new), sum(len(v) for v in keep.values()), keep[999])",
                  "0 2890 999\n");
    airlock_buffer_free(image);
    airlock_sandbox_free(sb);
}
END_TEST

/* A runtime that booted for itself has a snapshot no other process shares:
 * its files are self-contained, and a file saved against the built-in
 * snapshot is refused there rather than misread. */
START_TEST(booted_runtimes_write_self_contained_files) {
    size_t len;
    free(saved_session(&len));
    airlock_runtime *bare;
    ck_assert_int_eq(airlock_runtime_new(&bare), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_set_compat(bare, 0), AIRLOCK_OK);
    airlock_sandbox *sb = NULL;
    ck_assert_int_eq(airlock_sandbox_load(bare, path, &sb), AIRLOCK_CORRUPT);
    airlock_sandbox_free(sb); /* the handle of a failed creation */
    ck_assert_int_eq(airlock_sandbox_new(bare, &sb), AIRLOCK_OK);
    ck_run_prints(sb, "y = [1, 2, 3]", "");
    ck_assert_int_eq(airlock_sandbox_save(sb, path), AIRLOCK_OK);
    airlock_sandbox_free(sb);
    uint8_t *file = read_file(&len);
    ck_assert_uint_eq(u64_at(file + BASE_ID_AT), 0);
    free(file);
    ck_assert_int_eq(airlock_sandbox_load(bare, path, &sb), AIRLOCK_OK);
    ck_run_prints(sb, "print(sum(y))", "6\n");
    airlock_sandbox_free(sb);
    airlock_runtime_free(bare);
    unlink(path);
}
END_TEST

static uint64_t fnv1a(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Format 1 (whole memory, no base) is refused by its version. */
START_TEST(old_format_is_refused_by_version) {
    size_t len;
    uint8_t *file = saved_session(&len);
    uint32_t one = 1;
    memcpy(file + FORMAT_AT, &one, 4);
    uint64_t sum = fnv1a(file, HEADER_SUM_AT);
    memcpy(file + HEADER_SUM_AT, &sum, 8);
    airlock_sandbox *sb = NULL;
    ck_assert_int_eq(airlock_sandbox_load_buffer(shared_runtime(), file, len, &sb), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "format version 1 is not supported"));
    airlock_sandbox_free(sb);
    free(file);
    unlink(path);
}
END_TEST

/* A clone has the original's state, then each goes its own way; the copy
 * outlives the original. */
static void check_clone_is_independent(airlock_runtime *rt) {
    airlock_sandbox *a = NULL, *b = NULL;
    ck_assert_int_eq(airlock_sandbox_new(rt, &a), AIRLOCK_OK);
    ck_run_prints(a, "items = [1, 2]", "");
    ck_assert_int_eq(airlock_sandbox_clone(a, &b), AIRLOCK_OK);
    ck_run_prints(b, "items.append(3)\nprint(items)", "[1, 2, 3]\n");
    ck_run_prints(a, "print(items)", "[1, 2]\n");
    airlock_sandbox_free(a);
    ck_run_prints(b, "print(len(items))", "3\n");
    airlock_sandbox_free(b);
}

START_TEST(clone_is_independent) { check_clone_is_independent(shared_runtime()); }
END_TEST

/* Strings made at run time are the interned ones when their text is
 * (the host's qstr index, runtime/qstr.c), after a rollback, in a clone and
 * in a loaded session, including names interned after each of those. */
#define SAME_QSTR(name, a, b) "p_, q_ = " a ", " b "\nprint((p_ + q_) is " name ")"
START_TEST(interned_strings_after_rollback_clone_and_load) {
    make_path();
    airlock_sandbox *sb = new_sandbox(), *c = NULL, *l = NULL;
    ck_run_prints(sb, SAME_QSTR("'zq_k1'", "'zq'", "'_k1'"), "True\n");
    airlock_limits lim = {.size = sizeof(airlock_limits), .timeout_seconds = 0.2}; /* a hard stop: rolled back */
    airlock_sandbox_set_limits(sb, &lim);
    ck_assert_int_eq(run(sb, "zq_lost = 1\nwhile True:\n try:\n  while True: pass\n except KeyboardInterrupt: pass"),
                     AIRLOCK_LIMIT);
    airlock_limits none = {.size = sizeof(airlock_limits)};
    airlock_sandbox_set_limits(sb, &none);
    ck_run_prints(sb, "zq_kept = 2\n" SAME_QSTR("'zq_kept'", "'zq_'", "'kept'"), "True\n");
    ck_run_prints(sb, SAME_QSTR("'zq_lost'", "'zq_'", "'lost'") "\nprint('zq_lost' in globals())", "True\nFalse\n");
    ck_assert_int_eq(airlock_sandbox_clone(sb, &c), AIRLOCK_OK);
    ck_run_prints(c, "zq_c = 3\n" SAME_QSTR("'zq_c'", "'zq'", "'_c'") "\n" SAME_QSTR("'zq_kept'", "'zq'", "'_kept'"),
                  "True\nTrue\n");
    ck_assert_int_eq(airlock_sandbox_save(c, path), AIRLOCK_OK);
    ck_assert_int_eq(airlock_sandbox_load(shared_runtime(), path, &l), AIRLOCK_OK);
    ck_run_prints(l, SAME_QSTR("'zq_c'", "'zq'", "'_c'") "\nzq_l = 4\n" SAME_QSTR("'zq_l'", "'zq'", "'_l'"),
                  "True\nTrue\n");
    airlock_sandbox_free(l);
    airlock_sandbox_free(c);
    airlock_sandbox_free(sb);
    unlink(path);
}
END_TEST

static void expect_refused(const uint8_t *buf, size_t len, const char *why) {
    airlock_sandbox *sb = (airlock_sandbox *)0x1;
    int rc = airlock_sandbox_load_buffer(shared_runtime(), buf, len, &sb);
    ck_assert_msg(rc == AIRLOCK_CORRUPT, "%s: rc=%d", why, rc);
    /* the handle only carries the message; every other call refuses it */
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "session"));
    ck_assert_int_eq(airlock_sandbox_exec(sb, "1", 1), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_sandbox_save(sb, "/tmp/never"), AIRLOCK_MISUSE);
    airlock_sandbox *copy = NULL;
    ck_assert_int_eq(airlock_sandbox_clone(sb, &copy), AIRLOCK_MISUSE);
    ck_assert_str_eq(airlock_sandbox_stdout(sb, NULL), "");
    airlock_sandbox_free(sb);
}

START_TEST(bad_files_are_refused) {
    size_t len;
    uint8_t *good = saved_session(&len);
    uint8_t *bad = malloc(len + 8);

    expect_refused(good, 0, "empty");
    expect_refused(good, 100, "shorter than a header");
    for (size_t cut = 128; cut < len; cut += len / 7) expect_refused(good, cut, "truncated");
    expect_refused(good, len - 1, "one byte short");

    memcpy(bad, good, len);
    bad[len / 2] ^= 0x40;
    expect_refused(bad, len, "a flipped bit in the memory");

    memcpy(bad, good, len);
    bad[0] = 'X';
    expect_refused(bad, len, "foreign magic");

    memcpy(bad, good, len);
    memcpy(bad + 16, "0.0.1-other", 11);
    expect_refused(bad, len, "another version (header checksum catches it)");

    memcpy(bad, good, len);
    memset(bad + len, 0, 8);
    expect_refused(bad, len + 8, "trailing bytes");

    memset(bad, 0xff, len);
    expect_refused(bad, len, "all ones");

    /* random garbage of many sizes never crashes */
    srand(7);
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)rand() % (len + 1);
        for (size_t j = 0; j < n; j++) bad[j] = (uint8_t)rand();
        if (n >= 8) memcpy(bad, "AIRLOCKS", 8);
        expect_refused(bad, n, "garbage");
    }
    free(bad);
    free(good);
    unlink(path);
}
END_TEST

START_TEST(memory_over_the_limit_is_refused) {
    make_path();
    airlock_sandbox *sb = new_sandbox();
    ck_run_prints(sb, "big = bytearray(40 * 1024 * 1024)", "");
    ck_assert_int_eq(airlock_sandbox_save(sb, path), AIRLOCK_OK);
    airlock_sandbox_free(sb);
    airlock_runtime *small;
    ck_assert_int_eq(airlock_runtime_new(&small), AIRLOCK_OK);
    airlock_limits l = {.size = sizeof(airlock_limits), .memory_bytes = 32u << 20};
    ck_assert_int_eq(airlock_runtime_set_limits(small, &l), AIRLOCK_OK);
    ck_assert_int_eq(airlock_sandbox_load(small, path, &sb), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "memory limit"));
    ck_assert_int_eq(airlock_sandbox_exec(sb, "1", 1), AIRLOCK_MISUSE); /* the handle only reports */
    airlock_sandbox_free(sb);
    airlock_runtime_free(small);
    unlink(path);
}
END_TEST

static long page_faults(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt + ru.ru_majflt;
}

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * A 3 GB sparse file behind a real header is refused from its header and
 * size, through both loaders: no more than a few MB of memory is touched
 * (page faults; reading it once took 3.1 GB) and it takes milliseconds (the
 * bound is loose for loaded machines).
 */
START_TEST(huge_sparse_file_is_refused_unread) {
    size_t len;
    uint8_t *good = saved_session(&len);
    int fd = open(path, O_RDWR | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, good, 128), 128);
    const uint64_t size = 3ull << 30;
    ck_assert_int_eq(ftruncate(fd, (off_t)size), 0);
    airlock_runtime *rt = shared_runtime();
    airlock_sandbox *sb = NULL;
    airlock_sandbox_free(new_sandbox()); /* the snapshot exists before measuring */

    long f0 = page_faults();
    double t0 = seconds();
    ck_assert_int_eq(airlock_sandbox_load(rt, path, &sb), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "longer than its header declares"));
    airlock_sandbox_free(sb);
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    ck_assert_ptr_ne(map, MAP_FAILED);
    ck_assert_int_eq(airlock_sandbox_load_buffer(rt, map, size, &sb), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "longer than its header declares"));
    ck_assert_int_eq(airlock_sandbox_exec(sb, "1", 1), AIRLOCK_MISUSE);
    double took = seconds() - t0;
    long faults = page_faults() - f0;
    ck_assert_msg(faults < 1024, "%ld page faults (%ld MB touched)", faults, faults / 256);
    ck_assert_msg(took < 2.0, "took %.2f s", took);
    airlock_sandbox_free(sb);
    munmap(map, size);
    close(fd);
    free(good);
    unlink(path);
}
END_TEST

/* Not a regular file: refused without reading (a FIFO or /dev/zero would
 * never end). */
START_TEST(special_files_are_refused) {
    airlock_sandbox *sb = NULL;
    ck_assert_int_eq(airlock_sandbox_load(shared_runtime(), "/dev/zero", &sb), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "not a regular file"));
    airlock_sandbox_free(sb);
    sb = NULL;
    ck_assert_int_eq(airlock_sandbox_load(shared_runtime(), "/tmp", &sb), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "not a regular file"));
    airlock_sandbox_free(sb);
}
END_TEST

/* A session names the guest that wrote it: another guest's runtime refuses
 * it by that name, whether or not it has sessions of its own. */
START_TEST(a_session_of_another_guest_is_refused_by_name) {
    airlock_runtime *py;
    ck_assert_int_eq(airlock_runtime_new(&py), AIRLOCK_OK);
    if (airlock_runtime_set_guest(py, "cpython") != AIRLOCK_OK) { /* CPYTHON=0 */
        printf("skipped: unit/session: another guest's session: this library has no CPython guest\n");
        airlock_runtime_free(py);
        return;
    }
    airlock_sandbox *mp = new_sandbox(), *sb = NULL;
    ck_assert_int_eq(run(mp, "x = 1"), AIRLOCK_OK);
    void *image;
    size_t len;
    ck_assert_int_eq(airlock_sandbox_save_buffer(mp, &image, &len), AIRLOCK_OK);
    ck_assert_int_eq(airlock_sandbox_load_buffer(py, image, len, &sb), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "saved by the micropython guest, and this runtime runs cpython"));
    airlock_sandbox_free(sb);
    airlock_buffer_free(image);
    airlock_sandbox_free(mp);
    airlock_runtime_free(py);
}
END_TEST

/* A CPython runtime, or NULL (and the test says it is skipped) in a
 * library built without that guest. */
static airlock_runtime *cpython_runtime(const char *test) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    if (airlock_runtime_set_guest(rt, "cpython") == AIRLOCK_OK) return rt;
    printf("skipped: unit/session: %s: this library has no CPython guest\n", test);
    airlock_runtime_free(rt);
    return NULL;
}

START_TEST(cpython_clone_is_independent) {
    airlock_runtime *rt = cpython_runtime("cpython clone");
    if (!rt) return;
    check_clone_is_independent(rt);
    airlock_runtime_free(rt);
}
END_TEST

/* A CPython session through a buffer, loaded into another runtime; a clone
 * of the loaded one works; a damaged copy, and the MicroPython guest, refuse
 * it. */
START_TEST(cpython_buffer_round_trip) {
    airlock_runtime *rt = cpython_runtime("cpython buffer round trip"), *other;
    if (!rt) return;
    other = cpython_runtime("cpython buffer round trip");
    airlock_sandbox *a = NULL, *b = NULL, *c = NULL;
    ck_assert_int_eq(airlock_sandbox_new(rt, &a), AIRLOCK_OK);
    ck_run_prints(a, "import json\nx = 41\nclass K:\n    def get(self): return x + 1\ndef f(): return json.dumps(K().get())", "");
    void *image;
    size_t len;
    ck_assert_int_eq(airlock_sandbox_save_buffer(a, &image, &len), AIRLOCK_OK);
    ck_assert_int_eq(airlock_sandbox_load_buffer(other, image, len, &b), AIRLOCK_OK);
    ck_run_prints(b, "print(f())", "42\n");
    ck_assert_int_eq(airlock_sandbox_clone(b, &c), AIRLOCK_OK);
    ck_run_prints(c, "x = 1\nprint(f())", "2\n");
    ck_run_prints(b, "print(f())", "42\n");
    airlock_sandbox_free(c);
    c = NULL;
    ck_assert_int_eq(airlock_sandbox_load_buffer(shared_runtime(), image, len, &c), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(c), "saved by the cpython guest, and this runtime runs micropython"));
    airlock_sandbox_free(c);
    c = NULL;
    ((uint8_t *)image)[len / 2] ^= 1;
    ck_assert_int_eq(airlock_sandbox_load_buffer(other, image, len, &c), AIRLOCK_CORRUPT);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(c), "checksum"));
    airlock_sandbox_free(c);
    c = NULL;
    ck_assert_int_eq(airlock_sandbox_load_buffer(other, image, len - 1, &c), AIRLOCK_CORRUPT);
    airlock_sandbox_free(c);
    airlock_buffer_free(image);
    airlock_sandbox_free(b);
    airlock_sandbox_free(a);
    airlock_runtime_free(other);
    airlock_runtime_free(rt);
}
END_TEST

/* What a forged CPython session can do: give the interpreter any globals
 * (here a stack pointer at the top of the address space, far past its
 * memory, whose first u32 the instance part starts with). Its checksums
 * pass, it loads, and its executions end in a fault, each rolled back to
 * the state it loaded: the process, the runtime and other sandboxes go
 * on. */
START_TEST(cpython_forged_globals_end_in_a_fault) {
    airlock_runtime *rt = cpython_runtime("cpython forged globals");
    if (!rt) return;
    airlock_sandbox *a = NULL, *b = NULL;
    ck_assert_int_eq(airlock_sandbox_new(rt, &a), AIRLOCK_OK);
    ck_run_prints(a, "x = 1", "");
    void *image;
    size_t len;
    ck_assert_int_eq(airlock_sandbox_save_buffer(a, &image, &len), AIRLOCK_OK);
    uint32_t sp = 0xFFFFFF00u;
    memcpy((uint8_t *)image + SESSION_HEADER_BYTES, &sp, 4);
    image_seal(image, len); /* as a forger would: the checksums are no defence */
    ck_assert_int_eq(airlock_sandbox_load_buffer(rt, image, len, &b), AIRLOCK_OK);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(run(b, "print(x)"), AIRLOCK_TRAP);
        ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(b), "out-of-bounds"));
        ck_assert_str_eq(airlock_sandbox_stdout(b, NULL), "");
    }
    ck_run_prints(a, "print(x)", "1\n");
    airlock_buffer_free(image);
    airlock_sandbox_free(b);
    airlock_sandbox_free(a);
    airlock_runtime_free(rt);
}
END_TEST

START_TEST(missing_file_is_an_io_error) {
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_load(shared_runtime(), "/nonexistent/x.session", &sb), AIRLOCK_IOERR);
    ck_assert_ptr_nonnull(strstr(airlock_sandbox_errmsg(sb), "/nonexistent/x.session"));
    airlock_sandbox_free(sb);
}
END_TEST

static Suite *session_suite(void) {
    Suite *s = suite_create("session");
    TCase *tc = tcase_create("session");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, save_and_load_round_trip);
    tcase_add_test(tc, clone_is_independent);
    tcase_add_test(tc, interned_strings_after_rollback_clone_and_load);
    tcase_add_test(tc, session_files_hold_only_pages_that_differ);
    tcase_add_test(tc, booted_runtimes_write_self_contained_files);
    tcase_add_test(tc, sessions_do_not_grow_with_garbage);
    tcase_add_test(tc, free_heap_pages_are_not_saved);
    tcase_add_test(tc, a_collection_past_the_timeout_is_undone);
    tcase_add_test(tc, old_format_is_refused_by_version);
    tcase_add_test(tc, bad_files_are_refused);
    tcase_add_test(tc, memory_over_the_limit_is_refused);
    tcase_add_test(tc, missing_file_is_an_io_error);
    tcase_add_test(tc, a_session_of_another_guest_is_refused_by_name);
    tcase_add_test(tc, cpython_clone_is_independent);
    tcase_add_test(tc, cpython_buffer_round_trip);
    tcase_add_test(tc, cpython_forged_globals_end_in_a_fault);
    tcase_add_test(tc, huge_sparse_file_is_refused_unread);
    tcase_add_test(tc, special_files_are_refused);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(session_suite)
