/*
 * fz_path.c - the path resolver and the vfs operations behind the guest's
 * file syscalls.
 *
 * First byte: which part. Otherwise the input is a script of vfs operations
 * on a vfs holding the embedded library at /lib, a small scratch tree at
 * /tmp and a read-only host directory (created at start-up, never written)
 * at /host. Paths come from the input, relative ones against a working
 * directory the script can change. Checked on every step:
 *   - vfs_normalize's output is absolute and canonical (no "//", "/./",
 *     "/../", trailing "/"), shorter than VFS_PATH_MAX, and normalising it
 *     again gives it back;
 *   - the working directory stays canonical;
 *   - a read never returns more than asked, the scratch tree never holds more
 *     than its budget, and no operation succeeds where nothing is writable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz/input.h"
#include "vfs/hostdir.h"
#include "vfs/scratch.h"
#include "vfs/vfs.h"

extern const vfs_embedded_tree airlock_lib_tree;

#define SCRATCH_BUDGET 65536
#define FAIL(...) (fprintf(stderr, __VA_ARGS__), fputc('\n', stderr), abort())

static char host_dir[64];

/* A small read-only host tree: a file, a subdirectory, a link out. */
static void make_host_dir(void) {
    snprintf(host_dir, sizeof host_dir, "/tmp/airlock-fz-path-%d", (int)getpid());
    char p[128];
    mkdir(host_dir, 0700);
    snprintf(p, sizeof p, "%s/sub", host_dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/f.txt", host_dir);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs("host file\n", f);
        fclose(f);
    }
    snprintf(p, sizeof p, "%s/out", host_dir);
    if (symlink("/etc", p) != 0) { /* already there from an earlier run */ }
}

static void check_canonical(const char *p, const char *what) {
    size_t n = strlen(p);
    if (p[0] != '/' || n >= VFS_PATH_MAX) FAIL("%s not absolute or too long: %s", what, p);
    if (n > 1 && p[n - 1] == '/') FAIL("%s has a trailing slash: %s", what, p);
    if (strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../")) FAIL("%s not canonical: %s", what, p);
    if ((n >= 2 && strcmp(p + n - 2, "/.") == 0) || (n >= 3 && strcmp(p + n - 3, "/..") == 0))
        FAIL("%s ends in a dot component: %s", what, p);
}

static void fuzz_normalize(fz_input *in) {
    static char cwd[VFS_PATH_MAX], path[VFS_PATH_MAX], out[VFS_PATH_MAX], again[VFS_PATH_MAX];
    /* cwd is always canonical in the vfs; build one by normalising input */
    fz_str(in, path, 255);
    if (vfs_normalize("/", path[0] ? path : "/", cwd) != 0) strcpy(cwd, "/");
    size_t n = in->left < VFS_PATH_MAX - 1 ? in->left : VFS_PATH_MAX - 1;
    memcpy(path, in->p, n);
    path[n] = '\0';
    if (vfs_normalize(cwd, path, out) != 0) return;
    check_canonical(out, "normalised path");
    if (vfs_normalize("/", out, again) != 0 || strcmp(out, again) != 0) FAIL("not idempotent: %s -> %s", out, again);
}

static vfs *make_vfs(scratch **s) {
    vfs *v = vfs_new();
    char err[256];
    *s = vfs_scratch_new(SCRATCH_BUDGET);
    hostdir *h = vfs_hostdir_new(host_dir, false, err, sizeof err);
    if (!v || !*s || !h) FAIL("cannot build the vfs: %s", err);
    if (vfs_mount(v, "/lib", &vfs_embedded_ops, (void *)&airlock_lib_tree) || vfs_mount(v, "/tmp", &vfs_scratch_ops, *s) ||
        vfs_mount(v, "/host", &vfs_hostdir_ops, h))
        FAIL("cannot mount");
    return v;
}

/* A path from the input: a few fixed prefixes make deep paths likely. */
static void take_path(fz_input *in, char *out) {
    static const char *const prefixes[] = {"", "/", "/lib/", "/tmp/", "/host/", "/host/out/", "../", "/tmp/../host/"};
    char tail[256];
    fz_str(in, tail, 200);
    snprintf(out, VFS_PATH_MAX, "%s%s", prefixes[fz_u8(in) % 8], tail);
}

static void one_op(vfs *v, scratch *s, fz_input *in) {
    static char a[VFS_PATH_MAX], b[VFS_PATH_MAX];
    static uint8_t buf[8192];
    int fd = 3 + fz_u8(in) % 8;
    uint8_t op = fz_u8(in) % 14;
    vfs_stat st;
    vfs_dirent de;
    switch (op) {
    case 0: take_path(in, a); vfs_open(v, a, (int)fz_u32(in), 0644); break;
    case 1: vfs_close(v, fd); break;
    case 2: {
        size_t n = fz_u32(in) % sizeof buf;
        int64_t got = vfs_read(v, fd, buf, n);
        if (got > (int64_t)n) FAIL("read %lld of %zu", (long long)got, n);
        break;
    }
    case 3: {
        size_t n = fz_u32(in) % sizeof buf;
        memset(buf, 'w', n);
        int64_t put = vfs_write(v, fd, buf, n);
        if (put > (int64_t)n) FAIL("wrote %lld of %zu", (long long)put, n);
        break;
    }
    case 4: vfs_seek(v, fd, (int64_t)(int32_t)fz_u32(in) * (fz_u8(in) & 1 ? 65536 : 1), fz_u8(in) % 4); break;
    case 5: vfs_fstat(v, fd, &st); break;
    case 6: take_path(in, a); vfs_stat_path(v, a, fz_u8(in) & 1, &st); break;
    case 7: vfs_readdir(v, fd, &de); break;
    case 8: take_path(in, a); vfs_mkdir(v, a, 0755); break;
    case 9: take_path(in, a); vfs_unlink(v, a); break;
    case 10: take_path(in, a); vfs_rmdir(v, a); break;
    case 11: take_path(in, a); take_path(in, b); vfs_rename(v, a, b); break;
    case 12: take_path(in, a); vfs_chdir(v, a); break;
    case 13: {
        vfs *c = vfs_clone(v); /* what a cloned sandbox gets */
        vfs_free(c);
        break;
    }
    }
    check_canonical(vfs_getcwd(v), "working directory");
    if (vfs_scratch_used(s) > SCRATCH_BUDGET) FAIL("scratch holds %llu bytes", (unsigned long long)vfs_scratch_used(s));
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    make_host_dir();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!host_dir[0]) make_host_dir();
    fz_input in = {data, size};
    if (fz_u8(&in) & 1) {
        fuzz_normalize(&in);
        return 0;
    }
    scratch *s;
    vfs *v = make_vfs(&s);
    for (int steps = 0; in.left && steps < 256; steps++) one_op(v, s, &in);
    vfs_free(v);
    return 0;
}
