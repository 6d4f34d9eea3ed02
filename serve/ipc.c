/*
 * ipc.c - framing between the listener and its workers: each message is
 * two frames (a JSON header and a binary image, either may be empty), each
 * frame a little-endian u32 length and its bytes. A worker answers a job
 * with one byte as soon as it has read it, then with the result.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "serve.h"

static bool write_full(int fd, struct iovec *iov, int n) {
    while (n > 0) {
        ssize_t w = writev(fd, iov, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        size_t done = (size_t)w;
        while (n > 0 && done >= iov->iov_len) {
            done -= iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + done;
            iov->iov_len -= done;
        }
    }
    return true;
}

bool ipc_send(int fd, const void *a, uint32_t alen, const void *b, uint32_t blen) {
    uint32_t la = alen, lb = blen;
    struct iovec iov[4] = {
        {&la, 4}, {(void *)a, alen}, {&lb, 4}, {(void *)b, blen},
    };
    return write_full(fd, iov, 4);
}

static bool read_full(int fd, void *buf, size_t n) {
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static bool read_frame(int fd, char **out, uint32_t *len, uint32_t max) {
    *out = NULL;
    if (!read_full(fd, len, 4) || *len > max) return false;
    *out = malloc((size_t)*len + 1);
    if (!*out) return false;
    if (!read_full(fd, *out, *len)) {
        free(*out);
        *out = NULL;
        return false;
    }
    (*out)[*len] = '\0';
    return true;
}

bool ipc_recv(int fd, char **a, uint32_t *alen, char **b, uint32_t *blen, uint32_t max) {
    *b = NULL;
    if (!read_frame(fd, a, alen, max)) return false;
    if (read_frame(fd, b, blen, max)) return true;
    free(*a);
    *a = NULL;
    return false;
}

/* The byte that tells the listener a job was read whole: a worker that
 * dies before sending it never started the job, so the job may go to
 * another worker. */
#define IPC_ACK 'A'

bool ipc_ack(int fd) {
    char c = IPC_ACK;
    struct iovec iov = {&c, 1};
    return write_full(fd, &iov, 1);
}

bool ipc_wait_ack(int fd) {
    char c;
    return read_full(fd, &c, 1) && c == IPC_ACK;
}
