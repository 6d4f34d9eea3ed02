/*
 * net.c - sockets that reach only each other: TCP over 127.0.0.1 inside
 * one interpreter, in memory.
 *
 * asyncio's event loop wakes itself through socket.socketpair(), which
 * this build of CPython makes from a listening socket on 127.0.0.1 and a
 * connection to it (socket.py's fallback). So sockets exist here, but the
 * only addresses are this interpreter's own loopback ports: binding any
 * other address fails with EADDRNOTAVAIL, connecting to one with
 * ENETUNREACH, to a port nobody listens on with ECONNREFUSED; the only
 * name that resolves is localhost. No host socket is ever made. Each interpreter has at
 * most NET_SOCKETS of them, each with at most NET_BUFFER bytes in flight
 * towards it; a fresh interpreter has none, and an execution rolled back
 * leaves them as they were before it (cpython_net_save, _restore).
 *
 * The interpreter is single-threaded, so nothing can arrive while it
 * waits: poll() with a timeout only lets the time pass (cpython_wait), and
 * a blocking call that could only wait forever waits for the stop.
 */
#include <stdlib.h>
#include <string.h>

#include "cpython_vm.h"
#include "vfs/vfs.h"

#define NET_SOCKETS 16
#define NET_FD_BASE 1024 /* above every vfs descriptor (VFS_MAX_FDS) */
#define NET_BUFFER (64u << 10)
#define NET_BACKLOG 8
#define PORT_FIRST 40000u
#define PORT_LAST 60999u
#define LOOPBACK 0x7f000001u

_Static_assert(NET_FD_BASE > VFS_MAX_FDS, "socket descriptors must not meet vfs ones");

/* Emscripten's (musl's) numbers. */
enum { AF_INET_G = 2, SOCK_STREAM_G = 1, SOCK_TYPE_MASK = 0xf, O_NONBLOCK_G = 04000, MSG_DONTWAIT_G = 0x40 };
enum { SOL_SOCKET_G = 1, SO_TYPE_G = 3, SO_ERROR_G = 4, FIONBIO_G = 0x5421 };
enum { POLLIN_G = 0x001, POLLOUT_G = 0x004, POLLHUP_G = 0x010 };
/* WASI errno numbers (the guest's libc uses them). */
enum {
    E_ADDRINUSE = 3, E_ADDRNOTAVAIL = 4, E_AFNOSUPPORT = 5, E_AGAIN = 6, E_BADF = 8, E_CONNREFUSED = 14,
    E_INTR = 27, E_INVAL = 28, E_ISCONN = 30, E_MFILE = 33, E_NETUNREACH = 40, E_NOMEM = 48, E_NOPROTOOPT = 50,
    E_NOTCONN = 53, E_OPNOTSUPP = 58, E_PIPE = 64, E_PROTONOSUPPORT = 66
};

typedef enum { S_FREE, S_NEW, S_BOUND, S_LISTENING, S_CONNECTED } sock_state;

typedef struct net_socket {
    sock_state state;
    bool nonblocking;
    bool peer_done;            /* the peer closed or shut down writing: reads end */
    bool write_done;           /* this end closed or shut down writing */
    uint16_t port;             /* local port; 0 until bound */
    int peer;                  /* connected: the other end's index */
    int queue[NET_BACKLOG];    /* listening: accepted ends not yet taken */
    int queued;
    uint8_t *buf;              /* what the peer sent, not read yet */
    size_t len;
} net_socket;

/* The sockets as the execution in progress began (cpython_net_save), to
 * go back to if it is rolled back. */
typedef struct net_saved {
    net_socket s[NET_SOCKETS];  /* their buf pointers are stale: data[i] holds the data */
    uint8_t *data[NET_SOCKETS]; /* s[i].len bytes in flight, NET_BUFFER each, kept for reuse */
    uint16_t next_port;
    bool valid;                 /* false: the table was made after the save */
} net_saved;

struct cpython_net {
    net_socket s[NET_SOCKETS];
    uint16_t next_port;
    net_saved saved;
};

static u32 fail(uint32_t e) { return (u32) - (int32_t)e; }

static struct cpython_net *net_of(airlock_vm *vm, bool create) {
    cpython_vm *c = cpython_of(vm);
    if (!c->net && create) c->net = calloc(1, sizeof *c->net);
    return c->net;
}

void cpython_net_free(cpython_vm *c) {
    if (!c->net) return;
    for (int i = 0; i < NET_SOCKETS; i++) {
        free(c->net->s[i].buf);
        free(c->net->saved.data[i]);
    }
    free(c->net);
    c->net = NULL;
}

/* A copy of the table and of the data in flight: most executions have no
 * sockets, or none with data waiting, and copy nothing but the table. */
bool cpython_net_save(cpython_vm *c) {
    struct cpython_net *n = c->net;
    if (!n) return true; /* a rollback frees the table the execution makes */
    net_saved *v = &n->saved;
    for (int i = 0; i < NET_SOCKETS; i++) {
        const net_socket *s = &n->s[i];
        if (!s->len) continue;
        if (!v->data[i] && !(v->data[i] = malloc(NET_BUFFER))) return false;
        memcpy(v->data[i], s->buf, s->len);
    }
    memcpy(v->s, n->s, sizeof v->s);
    v->next_port = n->next_port;
    v->valid = true;
    return true;
}

/* No allocation: a buffer with saved data changes places with the
 * socket's own (which becomes the spare copy), and the buffer of a socket
 * that was free is freed. */
void cpython_net_restore(cpython_vm *c) {
    struct cpython_net *n = c->net;
    if (n && !n->saved.valid) cpython_net_free(c);
    if (!c->net) return;
    net_saved *v = &n->saved;
    for (int i = 0; i < NET_SOCKETS; i++) {
        uint8_t *buf = n->s[i].buf;
        n->s[i] = v->s[i];
        n->s[i].buf = buf;
        if (v->s[i].len) {
            n->s[i].buf = v->data[i];
            v->data[i] = buf;
        } else if (v->s[i].state == S_FREE) {
            free(buf);
            n->s[i].buf = NULL;
        }
    }
    n->next_port = v->next_port;
}

/* The socket behind descriptor fd, or NULL. */
static net_socket *sock_at(airlock_vm *vm, u32 fd) {
    struct cpython_net *n = net_of(vm, false);
    if (!n || fd < NET_FD_BASE || fd >= NET_FD_BASE + NET_SOCKETS) return NULL;
    net_socket *s = &n->s[fd - NET_FD_BASE];
    return s->state == S_FREE ? NULL : s;
}

bool cpython_net_owns(airlock_vm *vm, u32 fd) { return sock_at(vm, fd) != NULL; }

static int new_socket(struct cpython_net *n) {
    for (int i = 0; i < NET_SOCKETS; i++)
        if (n->s[i].state == S_FREE) {
            n->s[i] = (net_socket){.state = S_NEW, .peer = -1};
            return i;
        }
    return -1;
}

u32 Z_pyenvZ___syscall_socket(struct Z_pyenv_instance_t *env, u32 domain, u32 type, u32 protocol, u32 a4, u32 a5,
                              u32 a6) {
    (void)a4, (void)a5, (void)a6;
    if (domain != AF_INET_G) return fail(E_AFNOSUPPORT);
    if ((type & SOCK_TYPE_MASK) != SOCK_STREAM_G || (protocol != 0 && protocol != 6 /* TCP */))
        return fail(E_PROTONOSUPPORT);
    struct cpython_net *n = net_of(PYVM(env), true);
    if (!n) return fail(E_NOMEM);
    int i = new_socket(n);
    if (i < 0) return fail(E_MFILE);
    n->s[i].nonblocking = (type & O_NONBLOCK_G) != 0; /* SOCK_NONBLOCK */
    return NET_FD_BASE + (u32)i;
}

/* ---- addresses: struct sockaddr_in {u16 family; u16 port (big-endian); u32 addr; u8 zero[8]} ---- */

#define SOCKADDR_IN 16u

/* The port of a sockaddr_in for addr; false (with *err) if it is not one
 * of ours: 127.0.0.1, or for bind also 0.0.0.0. */
static bool read_addr(airlock_vm *vm, u32 addr, u32 len, bool any_ok, uint16_t *port, uint32_t *err) {
    const uint8_t *p = len >= 8 ? vm_ptr(vm, addr, 8) : NULL;
    *err = E_INVAL;
    if (!p) return false;
    uint16_t family = (uint16_t)(p[0] | p[1] << 8);
    uint32_t ip = (uint32_t)p[4] << 24 | (uint32_t)p[5] << 16 | (uint32_t)p[6] << 8 | p[7];
    *err = E_AFNOSUPPORT;
    if (family != AF_INET_G) return false;
    *err = any_ok ? E_ADDRNOTAVAIL : E_NETUNREACH;
    if (ip != LOOPBACK && !(any_ok && ip == 0)) return false;
    *port = (uint16_t)(p[2] << 8 | p[3]);
    return true;
}

/* Write 127.0.0.1:port to (addr, *addrlen) as getsockname(2) does. */
static u32 write_addr(airlock_vm *vm, u32 addr, u32 addrlen, uint16_t port) {
    uint32_t room;
    if (!addr) return 0;
    if (!vm_load_u32(vm, addrlen, &room)) return fail(E_INVAL);
    uint8_t sa[SOCKADDR_IN] = {AF_INET_G, 0, (uint8_t)(port >> 8), (uint8_t)port, 127, 0, 0, 1};
    uint32_t n = room < SOCKADDR_IN ? room : SOCKADDR_IN;
    uint8_t *p = vm_ptr(vm, addr, n);
    if (!p || !vm_store_u32(vm, addrlen, SOCKADDR_IN)) return fail(E_INVAL);
    memcpy(p, sa, n);
    return 0;
}

static bool port_taken(const struct cpython_net *n, uint16_t port) {
    for (int i = 0; i < NET_SOCKETS; i++)
        if ((n->s[i].state == S_BOUND || n->s[i].state == S_LISTENING) && n->s[i].port == port) return true;
    return false;
}

/* A free port for a bind to port 0 or an unbound connect; 0 if none. */
static uint16_t ephemeral_port(struct cpython_net *n) {
    for (unsigned tries = 0; tries <= PORT_LAST - PORT_FIRST; tries++) {
        if (n->next_port < PORT_FIRST || n->next_port > PORT_LAST) n->next_port = PORT_FIRST;
        uint16_t p = n->next_port++;
        bool used = port_taken(n, p);
        for (int i = 0; i < NET_SOCKETS && !used; i++) used = n->s[i].state == S_CONNECTED && n->s[i].port == p;
        if (!used) return p;
    }
    return 0;
}

#define SOCKET_ARGS(a2, a3, a4, a5, a6) u32 a2, u32 a3, u32 a4, u32 a5, u32 a6
#define SOCK_OR_FAIL(vm, fd, s)                 \
    net_socket *s = sock_at(vm, fd);            \
    if (!s) return fail(E_BADF);

u32 Z_pyenvZ___syscall_bind(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(addr, len, a4, a5, a6)) {
    (void)a4, (void)a5, (void)a6;
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    uint16_t port;
    uint32_t err;
    if (s->state != S_NEW) return fail(E_INVAL);
    if (!read_addr(vm, addr, len, true, &port, &err)) return fail(err);
    struct cpython_net *n = net_of(vm, false);
    if (port && port_taken(n, port)) return fail(E_ADDRINUSE);
    if (!port && !(port = ephemeral_port(n))) return fail(E_ADDRINUSE);
    s->port = port;
    s->state = S_BOUND;
    return 0;
}

u32 Z_pyenvZ___syscall_listen(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(backlog, a3, a4, a5, a6)) {
    (void)backlog, (void)a3, (void)a4, (void)a5, (void)a6;
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    if (s->state == S_NEW) {
        s->port = ephemeral_port(net_of(vm, false));
        if (!s->port) return fail(E_ADDRINUSE);
    } else if (s->state != S_BOUND && s->state != S_LISTENING) {
        return fail(E_INVAL);
    }
    s->state = S_LISTENING;
    return 0;
}

static net_socket *listener_on(struct cpython_net *n, uint16_t port) {
    for (int i = 0; i < NET_SOCKETS; i++)
        if (n->s[i].state == S_LISTENING && n->s[i].port == port) return &n->s[i];
    return NULL;
}

/* Connect s (index a) to the listener l: a new socket, queued for accept. */
static uint32_t join(struct cpython_net *n, int a, net_socket *l) {
    if (l->queued == NET_BACKLOG) return E_CONNREFUSED;
    int b = new_socket(n);
    if (b < 0) return E_MFILE;
    net_socket *s = &n->s[a], *t = &n->s[b];
    if (!s->port && !(s->port = ephemeral_port(n))) {
        t->state = S_FREE;
        return E_ADDRINUSE;
    }
    s->state = t->state = S_CONNECTED;
    s->peer = b;
    t->peer = a;
    t->port = l->port;
    l->queue[l->queued++] = b;
    return 0;
}

u32 Z_pyenvZ___syscall_connect(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(addr, len, a4, a5, a6)) {
    (void)a4, (void)a5, (void)a6;
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    uint16_t port;
    uint32_t err;
    if (s->state == S_CONNECTED) return fail(E_ISCONN);
    if (s->state != S_NEW && s->state != S_BOUND) return fail(E_INVAL);
    if (!read_addr(vm, addr, len, false, &port, &err)) return fail(err);
    struct cpython_net *n = net_of(vm, false);
    net_socket *l = listener_on(n, port);
    if (!l) return fail(E_CONNREFUSED);
    err = join(n, (int)(s - n->s), l);
    return err ? fail(err) : 0;
}

/* A call that can only wait for something no one will do: it waits for
 * the stop (the deadline, an interrupt), then fails with EINTR, and
 * CPython's signal check raises the soft stop's KeyboardInterrupt. A
 * retry in the grace waits until the stop becomes a hard one. */
static u32 block_forever(airlock_vm *vm) {
    cpython_wait(vm, -1);
    return fail(E_INTR);
}

u32 Z_pyenvZ___syscall_accept4(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(addr, addrlen, flags, a5, a6)) {
    (void)a5, (void)a6;
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    if (s->state != S_LISTENING) return fail(E_INVAL);
    if (!s->queued) return s->nonblocking ? fail(E_AGAIN) : block_forever(vm);
    struct cpython_net *n = net_of(vm, false);
    int b = s->queue[0];
    net_socket *t = &n->s[b];
    u32 rc = write_addr(vm, addr, addrlen, n->s[t->peer].port);
    if (rc) return rc;
    memmove(s->queue, s->queue + 1, (size_t)--s->queued * sizeof *s->queue);
    t->nonblocking = (flags & O_NONBLOCK_G) != 0;
    return NET_FD_BASE + (u32)b;
}

static u32 name_of(struct Z_pyenv_instance_t *env, u32 fd, u32 addr, u32 addrlen, bool peer) {
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    if (peer && (s->state != S_CONNECTED || s->peer < 0)) return fail(E_NOTCONN);
    return write_addr(vm, addr, addrlen, peer ? net_of(vm, false)->s[s->peer].port : s->port);
}

u32 Z_pyenvZ___syscall_getsockname(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(addr, len, a4, a5, a6)) {
    (void)a4, (void)a5, (void)a6;
    return name_of(env, fd, addr, len, false);
}

u32 Z_pyenvZ___syscall_getpeername(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(addr, len, a4, a5, a6)) {
    (void)a4, (void)a5, (void)a6;
    return name_of(env, fd, addr, len, true);
}

u32 Z_pyenvZ___syscall_getsockopt(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(level, name, val, len, a6)) {
    (void)a6;
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    uint32_t room, value;
    if (level != SOL_SOCKET_G || (name != SO_ERROR_G && name != SO_TYPE_G)) return fail(E_NOPROTOOPT);
    value = name == SO_TYPE_G ? SOCK_STREAM_G : 0;
    if (!vm_load_u32(vm, len, &room) || room < 4 || !vm_store_u32(vm, val, value) || !vm_store_u32(vm, len, 4))
        return fail(E_INVAL);
    return 0;
}

/*
 * getaddrinfo(node, service, hints, &res) for the only host there is: the
 * loopback address, given as "127.0.0.1" or "localhost" (or no node: the
 * wildcard with AI_PASSIVE, else loopback), and a numeric port. Any other
 * node does not resolve (EAI_NONAME). As Emscripten's own implementation,
 * the answer is one addrinfo and its sockaddr_in, each from the guest's
 * malloc (its freeaddrinfo frees both).
 */
enum { EAI_NONAME_G = -2, EAI_FAMILY_G = -6, EAI_SERVICE_G = -8, EAI_MEMORY_G = -10, AI_PASSIVE_G = 1 };
#define ADDRINFO_SIZE 32u
#define NAME_MAX_G 255u

static bool read_cstr(airlock_vm *vm, u32 addr, char *out, size_t size) {
    int64_t n = vm_strlen(vm, addr, (uint32_t)size - 1);
    if (n < 0) return false;
    memcpy(out, vm_ptr(vm, addr, (uint64_t)n), (size_t)n);
    out[n] = '\0';
    return true;
}

static u32 guest_alloc(airlock_vm *vm, u32 n) {
    u32 p = Z_cpythonZ_malloc(&cpython_of(vm)->inst, n);
    return p && vm_ptr(vm, p, n) ? p : 0;
}

u32 Z_pyenvZ_getaddrinfo(struct Z_pyenv_instance_t *env, u32 node, u32 service, u32 hint, u32 out) {
    airlock_vm *vm = PYVM(env);
    char name[NAME_MAX_G + 1], serv[16];
    int32_t h[4] = {0}; /* flags, family, socktype, protocol */
    uint32_t ip = LOOPBACK;
    if (hint && !vm_ptr(vm, hint, sizeof h)) return (u32)EAI_FAMILY_G;
    if (hint) memcpy(h, vm_ptr(vm, hint, sizeof h), sizeof h);
    if (h[1] != 0 && h[1] != AF_INET_G) return (u32)EAI_FAMILY_G;
    if (node) {
        if (!read_cstr(vm, node, name, sizeof name) || (strcmp(name, "127.0.0.1") && strcmp(name, "localhost")))
            return (u32)EAI_NONAME_G;
    } else if (h[0] & AI_PASSIVE_G) {
        ip = 0;
    }
    unsigned long port = 0;
    if (service) {
        char *end;
        if (!read_cstr(vm, service, serv, sizeof serv)) return (u32)EAI_SERVICE_G;
        port = strtoul(serv, &end, 10);
        if (!serv[0] || *end || port > 65535) return (u32)EAI_SERVICE_G;
    }
    u32 sa = guest_alloc(vm, SOCKADDR_IN), ai = sa ? guest_alloc(vm, ADDRINFO_SIZE) : 0;
    if (!ai) {
        if (sa) Z_cpythonZ_free(&cpython_of(vm)->inst, sa);
        return (u32)EAI_MEMORY_G;
    }
    uint8_t addr[SOCKADDR_IN] = {AF_INET_G, 0, (uint8_t)(port >> 8), (uint8_t)port,
                                 (uint8_t)(ip >> 24), (uint8_t)(ip >> 16), (uint8_t)(ip >> 8), (uint8_t)ip};
    int32_t info[8] = {h[0], AF_INET_G, h[2] ? h[2] : SOCK_STREAM_G, h[3] ? h[3] : 6 /* TCP */,
                       SOCKADDR_IN, (int32_t)sa, 0, 0};
    memcpy(vm_ptr(vm, sa, SOCKADDR_IN), addr, SOCKADDR_IN);
    memcpy(vm_ptr(vm, ai, ADDRINFO_SIZE), info, ADDRINFO_SIZE);
    if (!vm_store_u32(vm, out, ai)) vm_trap(vm, WASM_RT_TRAP_OOB);
    return 0;
}

/* ---- data --------------------------------------------------------------- */

u32 Z_pyenvZ___syscall_sendto(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(buf, len, flags, addr, alen)) {
    (void)addr, (void)alen; /* connected: the address is ignored, as on Linux */
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    if (s->state != S_CONNECTED) return fail(E_NOTCONN);
    if (s->write_done || s->peer < 0) return fail(E_PIPE);
    net_socket *t = &net_of(vm, false)->s[s->peer];
    const uint8_t *p = vm_ptr(vm, buf, len);
    if (!p) return fail(E_INVAL);
    if (!t->buf && !(t->buf = malloc(NET_BUFFER))) return fail(E_NOMEM);
    size_t n = NET_BUFFER - t->len < len ? NET_BUFFER - t->len : len;
    if (n == 0 && len) return s->nonblocking || (flags & MSG_DONTWAIT_G) ? fail(E_AGAIN) : block_forever(vm);
    memcpy(t->buf + t->len, p, n);
    t->len += n;
    return (u32)n;
}

u32 Z_pyenvZ___syscall_recvfrom(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(buf, len, flags, addr, alen)) {
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    if (s->state != S_CONNECTED) return fail(E_NOTCONN);
    uint8_t *p = vm_ptr(vm, buf, len);
    if (!p) return fail(E_INVAL);
    if (!s->len && !s->peer_done) return s->nonblocking || (flags & MSG_DONTWAIT_G) ? fail(E_AGAIN) : block_forever(vm);
    size_t n = s->len < len ? s->len : len;
    memcpy(p, s->buf, n);
    memmove(s->buf, s->buf + n, s->len - n);
    s->len -= n;
    if (addr && s->peer >= 0) {
        u32 rc = write_addr(vm, addr, alen, net_of(vm, false)->s[s->peer].port);
        if (rc) return rc;
    }
    return (u32)n;
}

/* Messages with ancillary data (descriptors) are not for these sockets. */
u32 Z_pyenvZ___syscall_recvmsg(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(a2, a3, a4, a5, a6)) {
    (void)a2, (void)a3, (void)a4, (void)a5, (void)a6;
    return sock_at(PYVM(env), fd) ? fail(E_OPNOTSUPP) : fail(E_BADF);
}
u32 Z_pyenvZ___syscall_sendmsg(struct Z_pyenv_instance_t *env, u32 fd, SOCKET_ARGS(a2, a3, a4, a5, a6)) {
    return Z_pyenvZ___syscall_recvmsg(env, fd, a2, a3, a4, a5, a6);
}

/* The end at s stops writing: its peer reads what is left, then the end. */
static void end_writing(struct cpython_net *n, net_socket *s) {
    s->write_done = true;
    if (s->state == S_CONNECTED && s->peer >= 0) n->s[s->peer].peer_done = true;
}

u32 Z_pyenvZ__try_shutdown(struct Z_pyenv_instance_t *env, u32 fd, u32 how, u32 unused) {
    (void)unused;
    airlock_vm *vm = PYVM(env);
    SOCK_OR_FAIL(vm, fd, s);
    if (s->state != S_CONNECTED) return fail(E_NOTCONN);
    if (how > 2) return fail(E_INVAL);
    if (how != 0) end_writing(net_of(vm, false), s); /* SHUT_WR, SHUT_RDWR */
    return 0;
}

void cpython_net_close(airlock_vm *vm, u32 fd) {
    net_socket *s = sock_at(vm, fd);
    struct cpython_net *n = net_of(vm, false);
    if (!s) return;
    end_writing(n, s);
    if (s->state == S_CONNECTED && s->peer >= 0) n->s[s->peer].peer = -1;
    for (int i = 0; s->state == S_LISTENING && i < s->queued; i++) { /* connections never accepted */
        net_socket *t = &n->s[s->queue[i]];
        end_writing(n, t);
        n->s[t->peer].peer = -1;
        free(t->buf);
        *t = (net_socket){S_FREE};
    }
    free(s->buf);
    *s = (net_socket){S_FREE};
}

/* ---- descriptor flags and readiness --------------------------------------- */

/* fcntl(F_GETFL/F_SETFL) and ioctl(FIONBIO) of a socket: its O_NONBLOCK. */
u32 cpython_net_flags(airlock_vm *vm, u32 fd, int set) {
    net_socket *s = sock_at(vm, fd);
    if (set >= 0) s->nonblocking = set != 0;
    return VFS_O_RDWR | (s->nonblocking ? O_NONBLOCK_G : 0);
}

u32 cpython_net_ioctl(airlock_vm *vm, u32 fd, u32 request, u32 varargs) {
    uint32_t argp, on;
    if (request != FIONBIO_G) return fail(59); /* ENOTTY */
    if (!vm_load_u32(vm, varargs, &argp) || !vm_load_u32(vm, argp, &on)) return fail(E_INVAL);
    cpython_net_flags(vm, fd, on != 0);
    return 0;
}

static int16_t socket_revents(struct cpython_net *n, const net_socket *s, int16_t events) {
    int16_t r = 0;
    if (s->state == S_LISTENING) return s->queued ? (int16_t)(events & POLLIN_G) : 0;
    if (s->state != S_CONNECTED) return POLLHUP_G | (int16_t)(events & POLLOUT_G);
    if (s->len || s->peer_done) r |= POLLIN_G;
    if (s->peer < 0) r |= POLLHUP_G;
    else if (n->s[s->peer].len < NET_BUFFER && !s->write_done) r |= POLLOUT_G;
    return (int16_t)(r & (events | POLLHUP_G));
}

/* struct pollfd {int fd; short events, revents;}. Files as in the
 * MicroPython guest (src/abi/: always ready), then the sockets' answers
 * over the POLLNVAL it gives them. */
u32 Z_pyenvZ___syscall_poll(struct Z_pyenv_instance_t *env, u32 fds, u32 nfds, u32 timeout) {
    airlock_vm *vm = PYVM(env);
    int32_t rc = (int32_t)Z_envZ___syscall_poll((struct Z_env_instance_t *)(void *)env, fds, nfds, 0);
    if (rc < 0) return fail(cpython_errno(-rc));
    struct cpython_net *n = net_of(vm, false);
    u32 ready = 0;
    for (u32 i = 0; i < nfds; i++) {
        uint8_t *p = vm_ptr(vm, fds + i * 8, 8); /* checked by the poll above */
        int32_t fd;
        int16_t events, revents;
        memcpy(&fd, p, 4);
        memcpy(&events, p + 4, 2);
        net_socket *s = fd >= 0 ? sock_at(vm, (u32)fd) : NULL;
        if (s) {
            revents = socket_revents(n, s, events);
            memcpy(p + 6, &revents, 2);
        } else {
            memcpy(&revents, p + 6, 2);
        }
        if (revents) ready++;
    }
    if (ready || timeout == 0) return ready;
    /* Nothing can become ready while the guest waits: the timeout runs
     * out, or a stop ends it early. Either way the answer is "nothing
     * ready", not EINTR, which Pyodide's select() turns into OSError with
     * errno 0: the check that follows the call raises the soft stop's
     * KeyboardInterrupt, or runs the guest's SIGINT handler (asyncio.run's
     * cancels its task and wakes its loop). */
    cpython_wait(vm, (int32_t)timeout);
    return 0;
}
