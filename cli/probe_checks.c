/*
 * probe_checks.c - the checks of `airlock probe`.
 *
 * Every check really attempts the thing from a fresh sandbox of the runtime
 * under test and then looks at the host, not only at what the guest says:
 * the secret must not appear in anything the guest produced, the listener
 * must have accepted nothing, the marker file must not exist, a file the
 * guest wrote through a grant must be on the host with the right bytes.
 * Host strings reach guest code hex-encoded, so no path or name can break
 * (or inject into) the Python source.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe_internal.h"

extern char **environ;

/* Defined in every guest program: _s() decodes a host string, _try() runs
 * one attempt and prints "LABEL ok VALUE" or "LABEL denied TYPE ARG". */
static const char prelude[] =
    "import os, binascii\n"
    "def _s(h): return binascii.unhexlify(h).decode()\n"
    "def _try(label, fn):\n"
    "    try:\n"
    "        print(label, 'ok', fn())\n"
    "    except Exception as e:\n"
    "        print(label, 'denied', type(e).__name__, e.args[0] if e.args else '')\n";

/* `s` as a Python expression: _s('<hex>'). */
const char *probe_lit(const char *s, char *buf, size_t n) {
    size_t len = strlen(s);
    if (n < 2 * len + 8) return "''";
    char *p = buf + sprintf(buf, "_s('");
    for (size_t i = 0; i < len; i++) p += sprintf(p, "%02x", (unsigned char)s[i]);
    strcpy(p, "')");
    return buf;
}

static void hex_of(const unsigned char *b, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) sprintf(out + 2 * i, "%02x", b[i]);
    out[2 * n] = '\0';
}

static void append(char *out, size_t cap, const char *s, size_t n) {
    size_t len = strlen(out);
    if (n > cap - 1 - len) n = cap - 1 - len;
    memcpy(out + len, s, n);
    out[len + n] = '\0';
}

/*
 * Run prelude + body in a fresh sandbox; everything the guest produced
 * (stdout, stderr, result, error) lands in out. Returns airlock_sandbox_exec's
 * code, or -1 if no sandbox could be made (out then says why).
 */
int probe_guest_run(probe_ctx *c, const char *body, char *out) {
    out[0] = '\0';
    airlock_sandbox *sb = NULL;
    if (airlock_sandbox_new(c->rt, &sb) != AIRLOCK_OK) {
        snprintf(out, PROBE_OUT, "no sandbox: %s", airlock_sandbox_errmsg(sb));
        airlock_sandbox_free(sb);
        return -1;
    }
    char *code = malloc(sizeof prelude + strlen(body));
    int rc = -1;
    if (code) {
        strcpy(code, prelude);
        strcat(code, body);
        rc = airlock_sandbox_exec(sb, code, strlen(code));
        free(code);
    }
    size_t n;
    const char *s = airlock_sandbox_stdout(sb, &n);
    append(out, PROBE_OUT, s, n);
    s = airlock_sandbox_stderr(sb, &n);
    append(out, PROBE_OUT, s, n);
    if ((s = airlock_sandbox_result(sb, &n))) append(out, PROBE_OUT, s, n);
    if (airlock_sandbox_error_type(sb)) {
        char line[512];
        snprintf(line, sizeof line, "\nERROR %s: %s\n", airlock_sandbox_error_type(sb), airlock_sandbox_error_message(sb));
        append(out, PROBE_OUT, line, strlen(line));
    }
    airlock_sandbox_free(sb);
    return rc;
}

/* Does out have a line starting with `prefix`? */
bool probe_has_line(const char *out, const char *prefix) {
    size_t n = strlen(prefix);
    for (const char *p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, prefix, n) == 0) return true;
    return false;
}

/* The first line of out starting with prefix, without it, into buf. */
const char *probe_line_after(const char *out, const char *prefix, char *buf, size_t n) {
    size_t plen = strlen(prefix);
    for (const char *p = out; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, prefix, plen) != 0) continue;
        size_t len = strcspn(p + plen, "\n");
        if (len >= n) len = n - 1;
        memcpy(buf, p + plen, len);
        buf[len] = '\0';
        return buf;
    }
    return "";
}

static bool exists(const char *path) {
    struct stat st;
    return lstat(path, &st) == 0;
}

/* ---- the escapes: all must fail ------------------------------------------------ */

void check_read_outside(probe_ctx *c) {
    probe_row *r = probe_add(c, "denied", "read a file outside every grant");
    if (c->plant_problem) {
        probe_set(r, VERDICT_FAIL, "%s", c->plant_problem);
        return;
    }
    char *out = malloc(PROBE_OUT), body[CODE_MAX], p[PROBE_PATH * 2 + 8], d[PROBE_PATH * 2 + 8];
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    snprintf(body, sizeof body,
             "P = %s\nD = %s\n"
             "_try('open', lambda: open(P).read())\n"
             "_try('listdir', lambda: os.listdir(D))\n"
             "_try('stat', lambda: os.stat(P))\n",
             probe_lit(c->secret_path, p, sizeof p), probe_lit(c->workdir, d, sizeof d));
    probe_guest_run(c, body, out);
    if (strstr(out, c->secret)) probe_set(r, VERDICT_FAIL, "the guest read the secret in %s", c->secret_path);
    else if (!probe_has_line(out, "open denied") || !probe_has_line(out, "listdir denied") || !probe_has_line(out, "stat denied"))
        probe_set(r, VERDICT_FAIL, "not every attempt was refused: %.200s", out);
    else probe_set(r, VERDICT_PASS, "open, listdir, stat of %s refused; secret not seen", c->workdir);
    free(out);
}

/* Did anything connect to the probe's listener? Waits a little for late
 * connections, accepts (and closes) what came. */
static int listener_connections(probe_ctx *c) {
    int n = 0;
    struct pollfd p = {c->listen_fd, POLLIN, 0};
    if (poll(&p, 1, 300) <= 0) return 0;
    int fd;
    while ((fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        close(fd);
        n++;
    }
    return n;
}

void check_network(probe_ctx *c) {
    probe_row *r = probe_add(c, "denied", "connect to 127.0.0.1:%d (a listener the probe opened)", c->port);
    char *out = malloc(PROBE_OUT), body[CODE_MAX];
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    snprintf(body, sizeof body,
             "def _sock():\n    import socket\n    s = socket.socket()\n    s.connect(('127.0.0.1', %d))\n"
             "    return 'connected'\n"
             "def _js():\n    import js\n    js.fetch('http://127.0.0.1:%d/')\n    return 'fetch issued'\n"
             "def _req():\n    import requests\n    return requests.get('http://127.0.0.1:%d/', timeout=2).status_code\n"
             "_try('socket', _sock)\n_try('js', _js)\n_try('requests', _req)\n",
             c->port, c->port, c->port);
    probe_guest_run(c, body, out);
    int seen = listener_connections(c);
    if (seen) probe_set(r, VERDICT_FAIL, "the listener accepted %d connection%s", seen, seen == 1 ? "" : "s");
    else if (probe_has_line(out, "socket ok") || probe_has_line(out, "js ok") || probe_has_line(out, "requests ok"))
        probe_set(r, VERDICT_FAIL, "the guest reports a connection: %.200s", out);
    else probe_set(r, VERDICT_PASS, "socket, js.fetch, requests refused; the listener saw no connection");
    free(out);
}

void check_env_secret(probe_ctx *c) {
    probe_row *r = probe_add(c, "hidden", "read $%s (set to a random secret)", PROBE_ENV_NAME);
    char *out = malloc(PROBE_OUT), body[CODE_MAX];
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    snprintf(body, sizeof body,
             "_try('getenv', lambda: os.getenv('%s'))\n"
             "_try('environ', lambda: dict(os.environ))\n",
             PROBE_ENV_NAME);
    probe_guest_run(c, body, out);
    if (strstr(out, c->secret)) probe_set(r, VERDICT_FAIL, "the guest read the secret (is %s granted?)", PROBE_ENV_NAME);
    else probe_set(r, VERDICT_PASS, "os.getenv and os.environ do not show it");
    free(out);
}

void check_spawn(probe_ctx *c) {
    probe_row *r = probe_add(c, "denied", "start a process or a shell");
    if (!c->workdir[0]) return probe_set(r, VERDICT_FAIL, "no directory for the marker file");
    char *out = malloc(PROBE_OUT), body[CODE_MAX], m[PROBE_PATH * 2 + 8];
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    /* execv replaces the process if it works: its program exits 1, so a
     * probe that lost itself that way cannot exit 0. */
    snprintf(body, sizeof body,
             "M = %s\n"
             "_try('system', lambda: os.system('touch ' + M))\n"
             "_try('popen', lambda: os.popen('touch ' + M))\n"
             "_try('spawnv', lambda: os.spawnv(0, '/bin/touch', ['touch', M]))\n"
             "def _sub():\n    import subprocess\n    return subprocess.run(['touch', M])\n"
             "_try('subprocess', _sub)\n"
             "_try('execv', lambda: os.execv('/bin/sh', ['sh', '-c', 'touch \"$0\"; exit 1', M]))\n",
             probe_lit(c->marker, m, sizeof m));
    probe_guest_run(c, body, out);
    if (exists(c->marker)) probe_set(r, VERDICT_FAIL, "a process ran on the host: %s exists", c->marker);
    else probe_set(r, VERDICT_PASS, "os.system, popen, spawnv, execv, subprocess: nothing ran");
    free(out);
}

/* ---- the host process itself, under the OS sandbox ------------------------------ */

/* The child only creates the marker: async-signal-safe calls alone. */
static int host_fork(const char *marker) {
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) _exit(open(marker, O_WRONLY | O_CREAT, 0600) < 0);
    waitpid(pid, NULL, 0);
    return 0;
}

static int host_spawn(const char *marker) {
    char cmd[PROBE_PATH + 32];
    snprintf(cmd, sizeof cmd, "echo > '%s'", marker);
    char *argv[] = {"sh", "-c", cmd, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
    if (rc == 0) waitpid(pid, NULL, 0);
    return rc;
}

/* A row that only means something when the OS layer is in place. */
static bool os_layer_skipped(probe_ctx *c, probe_row *r, bool on, const char *layer) {
    if (!c->os.requested) probe_set(r, VERDICT_SKIP, "OS sandbox off (--no-os-sandbox)");
    else if (!on) probe_set(r, VERDICT_SKIP, "%s not in place: %s", layer, *c->os.why ? c->os.why : "unavailable");
    return !c->os.requested || !on;
}

static void host_spawn_row(probe_ctx *c) {
    probe_row *r = probe_add(c, "denied", "host process: start a program (seccomp)");
    if (os_layer_skipped(c, r, c->os.seccomp, "seccomp")) return;
    int f = host_fork(c->host_marker), s = host_spawn(c->host_marker);
    if (exists(c->host_marker) || !f || !s)
        probe_set(r, VERDICT_FAIL, "fork: %s, posix_spawn: %s", f ? strerror(f) : "worked", s ? strerror(s) : "worked");
    else probe_set(r, VERDICT_PASS, "fork: %s; posix_spawn: %s", strerror(f), strerror(s));
}

static void host_socket_row(probe_ctx *c) {
    probe_row *r = probe_add(c, "denied", "host process: open a network socket (seccomp)");
    if (os_layer_skipped(c, r, c->os.seccomp, "seccomp")) return;
    if (c->os.sockets) return probe_set(r, VERDICT_SKIP, "allowed: a network grant needs sockets");
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        close(fd);
        return probe_set(r, VERDICT_FAIL, "socket(AF_INET) worked");
    }
    probe_set(r, VERDICT_PASS, "socket(AF_INET): %s", strerror(errno));
}

static void host_read_row(probe_ctx *c) {
    probe_row *r = probe_add(c, "denied", "host process: open the secret file (Landlock)");
    if (os_layer_skipped(c, r, c->os.landlock, "Landlock")) return;
    if (c->plant_problem) return probe_set(r, VERDICT_SKIP, "no secret planted");
    int fd = open(c->secret_path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        close(fd);
        return probe_set(r, VERDICT_FAIL, "open(%s) worked", c->secret_path);
    }
    probe_set(r, VERDICT_PASS, "open: %s", strerror(errno));
}

void check_host_process(probe_ctx *c) {
    probe_row *r = probe_add(c, "in place", "OS sandbox of the airlock process");
    char line[512];
    os_sandbox_describe(&c->os, line, sizeof line);
    probe_set(r, !c->os.requested ? VERDICT_SKIP : c->os_rc == 0 ? VERDICT_PASS : VERDICT_FAIL, "%s", line);
    host_spawn_row(c);
    host_socket_row(c);
    host_read_row(c);
}

/* ---- the grants: each must work ------------------------------------------------ */

/* The first regular file of dir (by name), its first bytes as hex. */
static bool first_file(const char *dir, char *name, size_t n, char *hex) {
    DIR *d = opendir(dir);
    if (!d) return false;
    name[0] = '\0';
    struct dirent *e;
    while ((e = readdir(d))) {
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        if (strlen(e->d_name) < n && (!name[0] || strcmp(e->d_name, name) < 0)) strcpy(name, e->d_name);
    }
    closedir(d);
    if (!name[0]) return false;
    char path[PROBE_PATH * 2];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    unsigned char buf[32];
    ssize_t got = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    if (fd >= 0) close(fd);
    hex_of(buf, got > 0 ? (size_t)got : 0, hex);
    return got >= 0;
}

/* A read-only grant: the guest lists and reads what the host has, and
 * cannot write. */
static void check_read_dir(probe_ctx *c, const cli_grant *g, probe_row *r) {
    char name[256], hex[80], tag[17], body[CODE_MAX], l1[PROBE_PATH * 2 + 8], l2[600], l3[80];
    bool has_file = first_file(g->host, name, sizeof name, hex);
    probe_random_hex(tag, 16);
    char *out = malloc(PROBE_OUT);
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    snprintf(body, sizeof body,
             "G = %s\nF = %s\nW = G + '/.airlock-probe-' + %s\n"
             "_try('list', lambda: len(os.listdir(G)))\n"
             "if F:\n    print('HAS', F in os.listdir(G))\n"
             "    print('HEAD', binascii.hexlify(open(G + '/' + F, 'rb').read(32)).decode())\n"
             "_try('write', lambda: open(W, 'w').write('x'))\n",
             probe_lit(g->guest, l1, sizeof l1), probe_lit(has_file ? name : "", l2, sizeof l2), probe_lit(tag, l3, sizeof l3));
    probe_guest_run(c, body, out);
    char created[PROBE_PATH * 2], head[100];
    snprintf(created, sizeof created, "%s/.airlock-probe-%s", g->host, tag);
    if (exists(created)) {
        unlink(created);
        probe_set(r, VERDICT_FAIL, "the guest created a file in a read-only grant");
    } else if (!probe_has_line(out, "list ok")) probe_set(r, VERDICT_FAIL, "cannot list it: %.200s", out);
    else if (has_file && (!probe_has_line(out, "HAS True") || strcmp(probe_line_after(out, "HEAD ", head, sizeof head), hex)))
        probe_set(r, VERDICT_FAIL, "does not read %s as the host does: %.200s", name, out);
    else if (!probe_has_line(out, "write denied")) probe_set(r, VERDICT_FAIL, "a write was not refused: %.200s", out);
    else probe_set(r, VERDICT_PASS, "listed%s%s; writing refused", has_file ? ", read " : "", has_file ? name : "");
    free(out);
}

/* A file grant: the guest reads what the host reads; writing is refused
 * unless the grant is writable. */
static void check_file(probe_ctx *c, const cli_grant *g, probe_row *r) {
    char hex[80], body[CODE_MAX], l1[PROBE_PATH * 2 + 8], head[100];
    int fd = open(g->host, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    unsigned char buf[32];
    ssize_t got = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
    if (fd >= 0) close(fd);
    if (got < 0) return probe_set(r, VERDICT_FAIL, "the host cannot read it: %s", strerror(errno));
    hex_of(buf, (size_t)got, hex);
    char *out = malloc(PROBE_OUT);
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    snprintf(body, sizeof body,
             "G = %s\nprint('HEAD', binascii.hexlify(open(G, 'rb').read(32)).decode())\n"
             "_try('write', lambda: open(G, 'ab'))\n",
             probe_lit(g->guest, l1, sizeof l1));
    probe_guest_run(c, body, out);
    if (strcmp(probe_line_after(out, "HEAD ", head, sizeof head), hex)) probe_set(r, VERDICT_FAIL, "not read as the host reads it: %.200s", out);
    else if (g->mode == AIRLOCK_MOUNT_WRITE) probe_set(r, VERDICT_PASS, "read as the host reads it");
    else if (!probe_has_line(out, "write denied")) probe_set(r, VERDICT_FAIL, "opening for writing was not refused");
    else probe_set(r, VERDICT_PASS, "read as the host reads it; writing refused");
    free(out);
}

/* A writable grant: a file the guest writes is on the host, byte for byte;
 * one it removes is gone. The probe deletes what it made. */
static void check_write_dir(probe_ctx *c, const cli_grant *g, probe_row *r) {
    char tag[17], token[33], body[CODE_MAX], l1[PROBE_PATH * 2 + 8], l2[80], l3[80];
    probe_random_hex(tag, 16);
    probe_random_hex(token, 32);
    char *out = malloc(PROBE_OUT);
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    snprintf(body, sizeof body,
             "G = %s\nT = %s\nA = G + '/.airlock-probe-' + %s\nB = A + '-gone'\n"
             "with open(A, 'w') as f:\n    f.write(T)\n"
             "print('BACK', open(A).read() == T)\n"
             "open(B, 'w').write('x')\nos.remove(B)\nprint('REMOVED', 'yes')\n",
             probe_lit(g->guest, l1, sizeof l1), probe_lit(token, l2, sizeof l2), probe_lit(tag, l3, sizeof l3));
    probe_guest_run(c, body, out);
    char a[PROBE_PATH * 2], b[PROBE_PATH * 2 + 8], got[40] = "";
    snprintf(a, sizeof a, "%s/.airlock-probe-%s", g->host, tag);
    snprintf(b, sizeof b, "%s-gone", a);
    int fd = open(a, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n = fd >= 0 ? read(fd, got, sizeof got - 1) : -1;
    if (fd >= 0) close(fd);
    got[n > 0 ? n : 0] = '\0';
    bool removed_ok = !exists(b);
    unlink(a);
    unlink(b);
    if (!probe_has_line(out, "BACK True") || !probe_has_line(out, "REMOVED yes")) probe_set(r, VERDICT_FAIL, "guest side failed: %.200s", out);
    else if (strcmp(got, token)) probe_set(r, VERDICT_FAIL, "the file the guest wrote is not on the host as written");
    else if (!removed_ok) probe_set(r, VERDICT_FAIL, "a file the guest removed is still on the host");
    else probe_set(r, VERDICT_PASS, "a file written is on the host byte for byte; a file removed is gone");
    free(out);
}

/* Scratch: writable for the guest, invisible on the host. */
static void check_scratch(probe_ctx *c, const cli_grant *g, probe_row *r) {
    char tag[17], body[CODE_MAX], l1[PROBE_PATH * 2 + 8], l2[80], host[PROBE_PATH * 2];
    probe_random_hex(tag, 16);
    char *out = malloc(PROBE_OUT);
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    snprintf(body, sizeof body,
             "A = %s + '/.airlock-probe-' + %s\nopen(A, 'w').write('scratch')\nprint('BACK', open(A).read())\n",
             probe_lit(g->guest, l1, sizeof l1), probe_lit(tag, l2, sizeof l2));
    probe_guest_run(c, body, out);
    snprintf(host, sizeof host, "%s/.airlock-probe-%s", g->guest, tag);
    if (exists(host)) {
        unlink(host);
        probe_set(r, VERDICT_FAIL, "the file reached the host at %s", host);
    } else if (!probe_has_line(out, "BACK scratch")) probe_set(r, VERDICT_FAIL, "guest side failed: %.200s", out);
    else probe_set(r, VERDICT_PASS, "written and read back; nothing reached the host's %s", g->guest);
    free(out);
}

static void check_env_grant(probe_ctx *c, const char *name) {
    probe_row *r = probe_add(c, "works", "--allow-env %s", name);
    char body[CODE_MAX], l1[600], want[4096], got[4096];
    const char *v = getenv(name);
    if (v && strlen(v) < 2000) hex_of((const unsigned char *)v, strlen(v), want);
    else snprintf(want, sizeof want, v ? "long" : "unset");
    char *out = malloc(PROBE_OUT);
    if (!out) return probe_set(r, VERDICT_FAIL, "out of memory");
    snprintf(body, sizeof body,
             "v = os.getenv(%s)\nprint('ENV', 'unset' if v is None else "
             "('long' if len(v) >= 2000 else binascii.hexlify(v.encode()).decode()))\n",
             probe_lit(name, l1, sizeof l1));
    probe_guest_run(c, body, out);
    if (strcmp(probe_line_after(out, "ENV ", got, sizeof got), want)) probe_set(r, VERDICT_FAIL, "the guest does not see the host's value: %.200s", out);
    else probe_set(r, VERDICT_PASS, "the guest sees the host's value (%s)", v ? "set" : "unset on the host");
    free(out);
}

void check_grants(probe_ctx *c) {
    for (int i = 0; i < c->opt.n_grants; i++) {
        const cli_grant *g = &c->opt.grants[i];
        struct stat st;
        probe_row *r;
        if (!g->host) {
            r = probe_add(c, "works", "%s (private %s)", g->flag, g->guest);
            check_scratch(c, g, r);
            continue;
        }
        bool mount = strcmp(g->flag, "--mount") == 0;
        r = probe_add(c, "works", "%s %s%s%s", g->flag, g->host, mount ? " -> " : "", mount ? g->guest : "");
        if (stat(g->host, &st) != 0) probe_set(r, VERDICT_FAIL, "the host path is gone: %s", strerror(errno));
        else if (g->mode == AIRLOCK_MOUNT_WRITE && S_ISDIR(st.st_mode)) check_write_dir(c, g, r);
        else if (S_ISDIR(st.st_mode)) check_read_dir(c, g, r);
        else check_file(c, g, r);
    }
    for (int i = 0; i < c->opt.n_env; i++) check_env_grant(c, c->opt.env_names[i]);
    check_service_grants(c);
}
