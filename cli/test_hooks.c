/*
 * test_hooks.c - test-only behaviour, compiled only into the test binary
 * (build/tests/airlock_hooks, built with -DAIRLOCK_TEST_HOOKS); the airlock
 * command itself contains none of it.
 *
 * os_sandbox_test_hook() plays a compromised host: right after the OS
 * sandbox is applied, the process itself tries what an attacker who took
 * over airlock's C code would try, driven by environment variables:
 *
 *   AIRLOCK_TEST_SPAWN_MARKER=PATH  fork() a child that creates PATH, and
 *                                   posix_spawn() /bin/sh -c 'echo > PATH'
 *   AIRLOCK_TEST_CONNECT_PORT=PORT  socket() + connect() to 127.0.0.1:PORT
 *   AIRLOCK_TEST_READ_FILE=PATH     open() and read() PATH
 *
 * It prints one line per attempt on stderr: "test-hook NAME: denied (why)"
 * or "test-hook NAME: done"; the test checks the lines and the effects
 * (the marker file, the listener, the bytes read).
 */
#ifdef AIRLOCK_TEST_HOOKS
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;
void os_sandbox_test_hook(const char *who);

static void say(const char *who, const char *what, int err) {
    if (err) fprintf(stderr, "%s: test-hook %s: denied (%s)\n", who, what, strerror(err));
    else fprintf(stderr, "%s: test-hook %s: done\n", who, what);
}

/* The child only creates the marker: async-signal-safe calls alone. */
static int try_fork(const char *marker) {
    pid_t pid = fork();
    if (pid < 0) return errno;
    if (pid == 0) {
        int fd = open(marker, O_WRONLY | O_CREAT, 0600);
        _exit(fd < 0 ? 1 : 0);
    }
    waitpid(pid, NULL, 0);
    return 0;
}

static int try_spawn(const char *marker) {
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "echo spawned > '%s'", marker);
    char *argv[] = {"sh", "-c", cmd, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ);
    if (rc != 0) return rc;
    waitpid(pid, NULL, 0);
    return 0;
}

static int try_connect(const char *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return errno;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a) == 0 ? 0 : errno;
    close(fd);
    return rc;
}

static int try_read(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char buf[64];
    int rc = read(fd, buf, sizeof buf) < 0 ? errno : 0;
    close(fd);
    return rc;
}

void os_sandbox_test_hook(const char *who) {
    const char *v;
    if ((v = getenv("AIRLOCK_TEST_SPAWN_MARKER"))) {
        say(who, "fork", try_fork(v));
        say(who, "spawn", try_spawn(v));
    }
    if ((v = getenv("AIRLOCK_TEST_CONNECT_PORT"))) say(who, "connect", try_connect(v));
    if ((v = getenv("AIRLOCK_TEST_READ_FILE"))) say(who, "read", try_read(v));
}
#else
typedef int airlock_no_test_hooks; /* an empty file is not valid ISO C */
#endif
