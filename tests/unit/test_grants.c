/*
 * test_grants.c - filesystem grants: airlock_runtime_mount/scratch, the
 * confinement of host directories, and the scratch tree's budget.
 *
 * One runtime (built once, before any fork) grants a temporary host tree:
 *   <tmp>/ro        read-only at /ro  (a.txt, sub/b.txt, two symlinks out)
 *   <tmp>/rw        read-write at /rw
 *   <tmp>/file.txt  read-only at /f.txt (a single-file grant)
 *   scratch         64 KiB at /tmp
 * and <tmp>/outside/secret.txt, <tmp>/neighbour.txt which must stay unseen.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "vfs/scratch.h"

#define SECRET "s3cret-do-not-print"

static char root[256];

static void put_file(const char *rel, const char *text) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static void path_of(char *out, size_t n, const char *rel) { snprintf(out, n, "%s/%s", root, rel); }

static bool host_exists(const char *rel) {
    char p[512];
    path_of(p, sizeof p, rel);
    struct stat st;
    return lstat(p, &st) == 0;
}

static void make_tree(void) {
    strcpy(root, "/tmp/airlock-grants-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    const char *dirs[] = {"ro", "ro/sub", "rw", "outside"};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        char p[512];
        path_of(p, sizeof p, dirs[i]);
        ck_assert_int_eq(mkdir(p, 0755), 0);
    }
    put_file("ro/a.txt", "alpha");
    put_file("ro/sub/b.txt", "beta");
    put_file("outside/secret.txt", SECRET);
    put_file("neighbour.txt", SECRET);
    put_file("file.txt", "single");
    char target[512], link[512];
    path_of(target, sizeof target, "outside/secret.txt");
    path_of(link, sizeof link, "ro/abs");
    ck_assert_int_eq(symlink(target, link), 0);
    path_of(link, sizeof link, "ro/rel");
    ck_assert_int_eq(symlink("../outside/secret.txt", link), 0);
    path_of(link, sizeof link, "ro/inside");
    ck_assert_int_eq(symlink("a.txt", link), 0);
}

static void remove_tree(void) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", root);
}

/* The shared runtime of this binary, with the grants above. */
static void setup_runtime(void) {
    make_tree();
    ck_assert_int_eq(airlock_runtime_new(&test_rt), AIRLOCK_OK);
    char p[512];
    path_of(p, sizeof p, "ro");
    ck_assert_int_eq(airlock_runtime_mount(test_rt, p, "/ro", AIRLOCK_MOUNT_READ), AIRLOCK_OK);
    path_of(p, sizeof p, "rw");
    ck_assert_int_eq(airlock_runtime_mount(test_rt, p, "/rw", AIRLOCK_MOUNT_WRITE), AIRLOCK_OK);
    path_of(p, sizeof p, "file.txt");
    ck_assert_int_eq(airlock_runtime_mount(test_rt, p, "/f.txt", AIRLOCK_MOUNT_READ), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_scratch(test_rt, "/tmp", 64 << 10), AIRLOCK_OK);
}

/* Guest helper: t(label, fn) prints "label ok <value>" or "label <errno>". */
static const char helper[] =
    "import os\n"
    "def t(label, fn):\n"
    "    try:\n"
    "        v = fn()\n"
    "        print(label, 'ok', v)\n"
    "    except OSError as e:\n"
    "        print(label, e.args[0])\n";

static void with_helper(airlock_sandbox *sb) { ck_run_prints(sb, helper, ""); }

/* ---- the API -------------------------------------------------------------- */

START_TEST(api_refuses_bad_grants) {
    airlock_runtime *rt;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    char p[512];
    path_of(p, sizeof p, "ro");
    ck_assert_int_eq(airlock_runtime_mount(rt, p, "relative", AIRLOCK_MOUNT_READ), AIRLOCK_MISUSE);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "absolute"));
    ck_assert_int_eq(airlock_runtime_mount(rt, p, "/lib", AIRLOCK_MOUNT_READ), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_runtime_mount(rt, p, "/x", 7), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_runtime_mount(rt, "/nonexistent/airlock", "/x", AIRLOCK_MOUNT_READ), AIRLOCK_DENIED);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "No such file"));
    ck_assert_int_eq(airlock_runtime_mount(rt, "/dev/null", "/x", AIRLOCK_MOUNT_READ), AIRLOCK_DENIED);
    ck_assert_int_eq(airlock_runtime_scratch(rt, "/tmp", 0), AIRLOCK_MISUSE);
    ck_assert_int_eq(airlock_runtime_mount(rt, p, "/data", AIRLOCK_MOUNT_READ), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_scratch(rt, "/data/", 1024), AIRLOCK_MISUSE); /* taken */
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    ck_assert_int_eq(airlock_runtime_scratch(rt, "/tmp", 1024), AIRLOCK_MISUSE);
    ck_assert_ptr_nonnull(strstr(airlock_runtime_errmsg(rt), "before the first sandbox"));
    ck_assert_int_eq(airlock_runtime_mount(rt, p, "/other", AIRLOCK_MOUNT_READ), AIRLOCK_MISUSE);
    ck_run_prints(sb, "print(open('/data/a.txt').read())", "alpha\n");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

START_TEST(nothing_by_default) {
    airlock_runtime *rt;
    airlock_sandbox *sb;
    ck_assert_int_eq(airlock_runtime_new(&rt), AIRLOCK_OK);
    ck_assert_int_eq(airlock_sandbox_new(rt, &sb), AIRLOCK_OK);
    with_helper(sb);
    ck_run_prints(sb, "t('w', lambda: open('/tmp/x', 'w'))\nt('r', lambda: open('/etc/hostname'))",
                  "w 13\nr 2\n");
    airlock_sandbox_free(sb);
    airlock_runtime_free(rt);
}
END_TEST

/* ---- read-only grants --------------------------------------------------------- */

START_TEST(read_only_reads) {
    airlock_sandbox *sb = new_sandbox();
    with_helper(sb);
    ck_run_prints(sb,
                  "print(open('/ro/a.txt').read(), open('/ro/sub/b.txt', 'rb').read())\n"
                  "print(sorted(os.listdir('/ro')), os.listdir('/ro/sub'))\n"
                  "print(os.stat('/ro/a.txt')[6], open('/ro/inside').read())\n"
                  "os.chdir('/ro/sub')\n"
                  "print(open('b.txt').read(), open('../a.txt').read(), os.getcwd())\n"
                  "print(open('/f.txt').read())\n",
                  "alpha b'beta'\n['a.txt', 'abs', 'inside', 'rel', 'sub'] ['b.txt']\n5 alpha\n"
                  "beta alpha /ro/sub\nsingle\n");
    airlock_sandbox_free(sb);
}
END_TEST

START_TEST(read_only_refuses_every_write) {
    airlock_sandbox *sb = new_sandbox();
    with_helper(sb);
    ck_run_prints(sb,
                  "for m in ('w', 'a', 'r+', 'w+', 'a+', 'wb', 'ab'):\n"
                  "    t(m, lambda: open('/ro/a.txt', m))\n"
                  "    t('new ' + m, lambda: open('/ro/new.txt', m))\n"
                  "t('f', lambda: open('/f.txt', 'a'))\n"
                  "t('mkdir', lambda: os.mkdir('/ro/d'))\n"
                  "t('mkdir existing', lambda: os.mkdir('/ro/sub'))\n"
                  "t('remove', lambda: os.remove('/ro/a.txt'))\n"
                  "t('rmdir', lambda: os.rmdir('/ro/sub'))\n"
                  "t('rename', lambda: os.rename('/ro/a.txt', '/ro/b.txt'))\n"
                  "t('remove missing', lambda: os.remove('/ro/zzz'))\n"
                  "t('remove root', lambda: os.rmdir('/ro'))\n",
                  "w 13\nnew w 13\na 13\nnew a 13\nr+ 13\nnew r+ 13\nw+ 13\nnew w+ 13\na+ 13\nnew a+ 13\n"
                  "wb 13\nnew wb 13\nab 13\nnew ab 13\nf 13\nmkdir 13\nmkdir existing 17\nremove 13\n"
                  "rmdir 13\nrename 13\nremove missing 2\nremove root 13\n");
    airlock_sandbox_free(sb);
    /* the host is unchanged */
    ck_assert(!host_exists("ro/new.txt"));
    ck_assert(!host_exists("ro/d"));
    ck_assert(host_exists("ro/a.txt"));
    ck_assert(!host_exists("ro/b.txt"));
    char p[512];
    path_of(p, sizeof p, "ro/a.txt");
    struct stat st;
    ck_assert_int_eq(stat(p, &st), 0);
    ck_assert_int_eq(st.st_size, 5);
}
END_TEST

/* ---- confinement ---------------------------------------------------------------- */

START_TEST(cannot_leave_a_grant) {
    airlock_sandbox *sb = new_sandbox();
    with_helper(sb);
    ck_assert_int_eq(run(sb,
                         "t('abs', lambda: open('/ro/abs').read())\n"
                         "t('rel', lambda: open('/ro/rel').read())\n"
                         "t('stat abs', lambda: os.stat('/ro/abs'))\n"
                         "t('dotdot', lambda: open('/ro/../outside/secret.txt').read())\n"
                         "t('neighbour', lambda: open('/neighbour.txt').read())\n"
                         "t('below file', lambda: open('/f.txt/x').read())\n"
                         "t('proc', lambda: open('/proc/self/root/etc/passwd').read())\n"),
                     AIRLOCK_OK);
    ck_assert_str_eq(airlock_sandbox_stdout(sb, NULL),
                     "abs 13\nrel 13\nstat abs 13\ndotdot 2\nneighbour 2\nbelow file 20\nproc 2\n");
    ck_assert_ptr_null(strstr(airlock_sandbox_stdout(sb, NULL), SECRET));
    airlock_sandbox_free(sb);
}
END_TEST

/* ---- read-write grants ------------------------------------------------------------- */

START_TEST(read_write_works) {
    airlock_sandbox *sb = new_sandbox();
    with_helper(sb);
    ck_run_prints(sb,
                  "with open('/rw/f.txt', 'w') as f: f.write('one\\n')\n"
                  "with open('/rw/f.txt', 'a') as f: f.write('two\\n')\n"
                  "with open('/rw/f.txt', 'r+') as f: f.seek(1); f.write('X')\n"
                  "print(repr(open('/rw/f.txt').read()))\n"
                  "os.mkdir('/rw/d')\n"
                  "os.rename('/rw/f.txt', '/rw/d/g.txt')\n"
                  "print(os.listdir('/rw'), os.listdir('/rw/d'))\n"
                  "t('mkdir again', lambda: os.mkdir('/rw/d'))\n"
                  "t('rmdir full', lambda: os.rmdir('/rw/d'))\n"
                  "t('xdev', lambda: os.rename('/rw/d/g.txt', '/tmp/g.txt'))\n"
                  "t('xdev ro', lambda: os.rename('/rw/d/g.txt', '/ro/g.txt'))\n"
                  "with open('/rw/keep.bin', 'wb') as f: f.write(b'\\x00\\xff')\n",
                  "'oXe\\ntwo\\n'\n['d'] ['g.txt']\nmkdir again 17\nrmdir full 39\nxdev 18\nxdev ro 18\n");
    ck_assert(host_exists("rw/d/g.txt"));
    ck_assert(host_exists("rw/keep.bin"));
    ck_run_prints(sb, "os.remove('/rw/d/g.txt')\nos.rmdir('/rw/d')\nos.remove('/rw/keep.bin')\nprint(os.listdir('/rw'))",
                  "[]\n");
    ck_assert(!host_exists("rw/d"));
    airlock_sandbox_free(sb);
}
END_TEST

/* A path written as a directory ("x/", "x/.") must be one (POSIX): on a
 * file it is ENOTDIR, and a file cannot be created there (EISDIR), in
 * every backend. */
START_TEST(trailing_slash_needs_a_directory) {
    airlock_sandbox *sb = new_sandbox();
    with_helper(sb);
    ck_run_prints(sb,
                  "open('/rw/f.txt', 'w').write('x')\n"
                  "open('/tmp/s.txt', 'w').write('x')\n"
                  "for p in ('/ro/a.txt/', '/ro/a.txt/.', '/rw/f.txt/', '/tmp/s.txt/', '/lib/json.py/', '/f.txt/'):\n"
                  "    t('open ' + p, lambda: open(p).read())\n"
                  "    t('stat ' + p, lambda: os.stat(p)[0] > 0)\n"
                  "    t('list ' + p, lambda: os.listdir(p))\n"
                  "t('write', lambda: open('/rw/f.txt/', 'w'))\n"
                  "t('append', lambda: open('/rw/f.txt/', 'a'))\n"
                  "t('create', lambda: open('/rw/new.txt/', 'w'))\n"
                  "t('remove', lambda: os.remove('/rw/f.txt/'))\n"
                  "t('rename from', lambda: os.rename('/rw/f.txt/', '/rw/g.txt'))\n"
                  "t('rename to', lambda: os.rename('/rw/f.txt', '/rw/g/'))\n"
                  "t('dirs still work', lambda: (os.listdir('/ro/sub/'), os.stat('/ro/./')[0] > 0, "
                  "open('/ro/sub/b.txt').read()))\n"
                  "t('unchanged', lambda: (open('/rw/f.txt').read(), sorted(os.listdir('/rw'))))\n"
                  "os.remove('/rw/f.txt')\n",
                  "open /ro/a.txt/ 20\nstat /ro/a.txt/ 20\nlist /ro/a.txt/ 20\n"
                  "open /ro/a.txt/. 20\nstat /ro/a.txt/. 20\nlist /ro/a.txt/. 20\n"
                  "open /rw/f.txt/ 20\nstat /rw/f.txt/ 20\nlist /rw/f.txt/ 20\n"
                  "open /tmp/s.txt/ 20\nstat /tmp/s.txt/ 20\nlist /tmp/s.txt/ 20\n"
                  "open /lib/json.py/ 20\nstat /lib/json.py/ 20\nlist /lib/json.py/ 20\n"
                  "open /f.txt/ 20\nstat /f.txt/ 20\nlist /f.txt/ 20\n"
                  "write 21\nappend 21\ncreate 21\nremove 20\nrename from 20\nrename to 20\n"
                  "dirs still work ok (['b.txt'], True, 'beta')\nunchanged ok ('x', ['f.txt'])\n");
    ck_assert(!host_exists("rw/new.txt"));
    airlock_sandbox_free(sb);
}
END_TEST

/* ---- scratch ---------------------------------------------------------------------------- */

START_TEST(scratch_is_private_and_capped) {
    airlock_sandbox *a = new_sandbox(), *b = new_sandbox();
    with_helper(a);
    with_helper(b);
    ck_run_prints(a,
                  "with open('/tmp/x.txt', 'w') as f: f.write('from a')\n"
                  "os.mkdir('/tmp/d')\n"
                  "print(sorted(os.listdir('/tmp')), open('/tmp/x.txt').read())\n",
                  "['d', 'x.txt'] from a\n");
    ck_run_prints(b, "print(os.listdir('/tmp'))\nt('x', lambda: open('/tmp/x.txt'))", "[]\nx 2\n");
    /* over the 64 KiB cap: ENOSPC; after removing, the space is back */
    ck_run_prints(a,
                  "def fill(n):\n"
                  "    with open('/tmp/big', 'w') as f: f.write('z' * n)\n"
                  "t('big', lambda: fill(100000))\n"
                  "os.remove('/tmp/big')\n"
                  "for i in range(3):\n"
                  "    fill(40000)\n"
                  "    os.remove('/tmp/big')\n"
                  "print('refilled')\n",
                  "big 28\nrefilled\n");
    ck_assert(!host_exists("big"));
    airlock_sandbox_free(a);
    airlock_sandbox_free(b);
}
END_TEST

/* The scratch backend directly: budget accounting and a deep tree. */
START_TEST(scratch_accounting) {
    scratch *s = vfs_scratch_new(1 << 20);
    ck_assert_ptr_nonnull(s);
    vfs *v = vfs_new();
    ck_assert_int_eq(vfs_mount(v, "/s", &vfs_scratch_ops, s), 0);
    ck_assert_uint_eq(vfs_scratch_used(s), 0);
    int fd = vfs_open(v, "/s/f", VFS_O_CREAT | VFS_O_WRONLY, 0644);
    ck_assert_int_ge(fd, 3);
    static char block[4096];
    for (int i = 0; i < 100; i++) ck_assert_int_eq(vfs_write(v, fd, block, sizeof block), sizeof block);
    ck_assert_int_eq(vfs_close(v, fd), 0);
    uint64_t used = vfs_scratch_used(s);
    ck_assert_uint_ge(used, 409600);
    ck_assert_uint_lt(used, 409600 + 1024); /* slack given back on close */
    /* a file removed while open stays readable, then its bytes come back */
    fd = vfs_open(v, "/s/f", VFS_O_RDONLY, 0);
    ck_assert_int_eq(vfs_unlink(v, "/s/f"), 0);
    char c;
    ck_assert_int_eq(vfs_read(v, fd, &c, 1), 1);
    ck_assert_int_eq(vfs_close(v, fd), 0);
    ck_assert_uint_eq(vfs_scratch_used(s), 0);
    /* a tree deeper than paths reach (renaming a chain under itself is
     * refused, under another chain allowed) is freed without recursion */
    char path[VFS_PATH_MAX];
    for (int chain = 0; chain < 2; chain++) {
        snprintf(path, sizeof path, "/s/%c", 'a' + chain);
        ck_assert_int_eq(vfs_mkdir(v, path, 0755), 0);
        for (int i = 0; i < 1000; i++) {
            strcat(path, "/d");
            ck_assert_int_eq(vfs_mkdir(v, path, 0755), 0);
        }
    }
    ck_assert_int_eq(vfs_rename(v, "/s/a", "/s/a/d/x"), -VFS_EINVAL);
    strcat(path, "/a");
    ck_assert_int_eq(vfs_rename(v, "/s/a", path), 0);
    ck_assert_int_eq(vfs_stat_path(v, "/s/a", true, &(vfs_stat){0}), -VFS_ENOENT);
    vfs_free(v);
}
END_TEST

START_TEST(scratch_budget_counts_names_and_files) {
    scratch *s = vfs_scratch_new(8192);
    vfs *v = vfs_new();
    ck_assert_int_eq(vfs_mount(v, "/s", &vfs_scratch_ops, s), 0);
    char path[64];
    int made = 0, rc = 0;
    while (made < 10000 && (rc = vfs_mkdir(v, (snprintf(path, sizeof path, "/s/%d", made), path), 0755)) == 0) made++;
    ck_assert_int_eq(rc, -VFS_ENOSPC);
    ck_assert_int_lt(made, 100); /* empty directories cost something */
    ck_assert_uint_le(vfs_scratch_used(s), 8192);
    vfs_free(v);
}
END_TEST

static Suite *grants_suite(void) {
    Suite *s = suite_create("grants");
    TCase *tc = tcase_create("grants");
    tcase_add_unchecked_fixture(tc, setup_runtime, remove_tree);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, api_refuses_bad_grants);
    tcase_add_test(tc, nothing_by_default);
    tcase_add_test(tc, read_only_reads);
    tcase_add_test(tc, read_only_refuses_every_write);
    tcase_add_test(tc, cannot_leave_a_grant);
    tcase_add_test(tc, read_write_works);
    tcase_add_test(tc, trailing_slash_needs_a_directory);
    tcase_add_test(tc, scratch_is_private_and_capped);
    tcase_add_test(tc, scratch_accounting);
    tcase_add_test(tc, scratch_budget_counts_names_and_files);
    suite_add_tcase(s, tc);
    return s;
}

TEST_MAIN(grants_suite)
