/*
 * workers.c - the worker pool.
 *
 * Listener side: N worker processes, each a fresh `airlock serve
 * --worker-fd 3 ...` started with posix_spawn (not fork: the listener is
 * multi-threaded), each talking over its own socket pair. A job goes to an
 * idle worker; if the worker dies or stops answering, the job fails and the
 * worker is replaced. Worker side: build the runtime from the same flags,
 * confine the process, then run jobs until the listener goes away.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "os_sandbox.h"
#include "report.h"
#include "serve.h"

#define IPC_MAX (1u << 30)       /* largest frame: a session image of 1 GiB */
#define WORKER_SLACK_SECONDS 5.0 /* beyond the job's timeout, before the worker is presumed hung */

extern char **environ;

typedef struct worker {
    pid_t pid;
    int fd;
    bool busy;
} worker;

struct worker_pool {
    const serve_config *cfg;
    char exe[PATH_MAX];
    pthread_mutex_t lock;
    pthread_cond_t idle;
    worker w[SERVE_MAX_WORKERS];
    int n;
    _Atomic uint64_t restarts;
};

/* ---- listener side ------------------------------------------------------------- */

static bool spawn_worker(worker_pool *p, worker *w) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return false;
    const serve_config *cfg = p->cfg;
    char **argv = calloc((size_t)cfg->argc + 4, sizeof *argv);
    if (!argv) {
        close(sv[0]);
        close(sv[1]);
        return false;
    }
    int n = 0;
    argv[n++] = p->exe;
    argv[n++] = "serve";
    argv[n++] = "--worker-fd=3";
    for (int i = 1; i < cfg->argc; i++) argv[n++] = cfg->argv[i];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 3); /* dup2 clears close-on-exec */
    /* The listener blocks its signals for sigtimedwait; a worker starts clean. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    pid_t pid;
    int rc = posix_spawn(&pid, p->exe, &fa, &attr, argv, environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&fa);
    free(argv);
    close(sv[1]);
    if (rc != 0) {
        close(sv[0]);
        errno = rc;
        return false;
    }
    w->pid = pid;
    w->fd = sv[0];
    w->busy = false;
    return true;
}

static void kill_worker(worker *w) {
    if (w->pid > 0) {
        kill(w->pid, SIGKILL);
        waitpid(w->pid, NULL, 0);
    }
    if (w->fd >= 0) close(w->fd);
    w->pid = -1;
    w->fd = -1;
}

worker_pool *pool_start(const serve_config *cfg, char *err, size_t errsize) {
    worker_pool *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    p->cfg = cfg;
    ssize_t n = readlink("/proc/self/exe", p->exe, sizeof p->exe - 1);
    if (n <= 0) {
        snprintf(err, errsize, "cannot find the airlock executable: %s", strerror(errno));
        free(p);
        return NULL;
    }
    p->exe[n] = '\0';
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->idle, NULL);
    for (; p->n < cfg->workers; p->n++) {
        p->w[p->n].fd = -1;
        if (!spawn_worker(p, &p->w[p->n])) {
            snprintf(err, errsize, "cannot start a worker: %s", strerror(errno));
            pool_stop(p);
            return NULL;
        }
    }
    return p;
}

static worker *take_idle(worker_pool *p, double wait_seconds) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)wait_seconds;
    until.tv_nsec += (long)((wait_seconds - (double)(time_t)wait_seconds) * 1e9);
    if (until.tv_nsec >= 1000000000L) until.tv_sec++, until.tv_nsec -= 1000000000L;
    pthread_mutex_lock(&p->lock);
    worker *found = NULL;
    for (;;) {
        for (int i = 0; i < p->n && !found; i++)
            if (!p->w[i].busy && p->w[i].fd >= 0) found = &p->w[i];
        if (found || pthread_cond_timedwait(&p->idle, &p->lock, &until) == ETIMEDOUT) break;
    }
    if (found) found->busy = true;
    pthread_mutex_unlock(&p->lock);
    return found;
}

static void give_back(worker_pool *p, worker *w) {
    pthread_mutex_lock(&p->lock);
    w->busy = false;
    pthread_cond_signal(&p->idle);
    pthread_mutex_unlock(&p->lock);
}

static json_t *job_header(const exec_job *job) {
    const airlock_limits *l = &job->limits;
    return json_pack("{s:s%, s:b, s:b, s:{s:I, s:I, s:f, s:I, s:b}}", "code", job->code, job->code_len, "grants",
                     job->grants, "want_image", job->want_image, "limits", "memory", (json_int_t)l->memory_bytes,
                     "fuel", (json_int_t)l->fuel, "timeout", l->timeout_seconds, "max_output",
                     (json_int_t)l->max_output_bytes, "output_stops", l->output_overflow_stops);
}

typedef enum {
    EXCHANGE_DONE,        /* a report (or a failure that is not the worker's) */
    EXCHANGE_NOT_STARTED, /* the worker ended before it had read the job */
    EXCHANGE_LOST,        /* the worker ended while running the job */
} exchange_result;

/* One exchange with worker w. Only a worker that acknowledged the job can
 * have run any of it: one that was killed while idle, but is not yet gone
 * (its socket closes only at the end of its exit), takes the job into a
 * socket that nobody reads. */
static exchange_result exchange(worker *w, const exec_job *job, exec_outcome *out) {
    json_t *hdr = job_header(job);
    char *text = hdr ? json_dumps(hdr, JSON_COMPACT) : NULL;
    json_decref(hdr);
    if (!text) {
        out->failure = "out of memory";
        return EXCHANGE_DONE;
    }
    double patience = (job->limits.timeout_seconds > 0 ? job->limits.timeout_seconds : 3600) + WORKER_SLACK_SECONDS;
    struct timeval tv = {(time_t)patience, 0};
    setsockopt(w->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    bool sent = ipc_send(w->fd, text, (uint32_t)strlen(text), job->image, (uint32_t)job->image_len);
    free(text);
    if (!sent || !ipc_wait_ack(w->fd)) return EXCHANGE_NOT_STARTED;
    char *a = NULL, *b = NULL;
    uint32_t alen, blen;
    if (!ipc_recv(w->fd, &a, &alen, &b, &blen, IPC_MAX)) {
        out->failure = "the worker running this exec stopped; the session is unchanged";
        return EXCHANGE_LOST;
    }
    out->report = json_loadb(a, alen, 0, NULL);
    free(a);
    if (blen) {
        out->image = b;
        out->image_len = blen;
    } else {
        free(b);
    }
    if (out->report) return EXCHANGE_DONE;
    out->failure = "the worker answered garbage";
    return EXCHANGE_LOST;
}

/* An idle worker never has anything to say: a readable or hung-up socket
 * means it died since its last job and pool_reap has not seen it yet. */
static bool worker_died_idle(const worker *w) {
    struct pollfd pfd = {.fd = w->fd, .events = POLLIN};
    return poll(&pfd, 1, 0) != 0;
}

static void replace_worker(worker_pool *p, worker *w) {
    kill_worker(w);
    p->restarts++;
    if (!spawn_worker(p, w)) serve_log("cannot replace a worker: %s", strerror(errno));
}

/* An idle worker, never one that died between jobs: the job has not been
 * sent yet, so taking another loses nothing. */
static worker *take_live(worker_pool *p, double wait_seconds) {
    worker *w = take_idle(p, wait_seconds);
    for (int tries = 0; w && worker_died_idle(w) && tries < p->n; tries++) {
        replace_worker(p, w);
        give_back(p, w);
        w = take_idle(p, wait_seconds);
    }
    return w;
}

static void discard_outcome(exec_outcome *out) {
    free(out->image);
    out->image = NULL;
    out->image_len = 0;
    json_decref(out->report);
    out->report = NULL;
}

void pool_run(worker_pool *p, const exec_job *job, double wait_seconds, exec_outcome *out) {
    memset(out, 0, sizeof *out);
    /* a job no worker started may try each worker once */
    for (int tries = 0; tries <= p->n; tries++) {
        worker *w = take_live(p, wait_seconds);
        if (!w) {
            out->failure = "every worker is busy";
            return;
        }
        exchange_result r = exchange(w, job, out);
        if (r != EXCHANGE_DONE) replace_worker(p, w);
        give_back(p, w);
        if (r != EXCHANGE_NOT_STARTED) {
            if (r == EXCHANGE_LOST) discard_outcome(out);
            return;
        }
    }
    out->failure = "no worker could start this exec; the session is unchanged";
}

/* Workers that died between jobs (their socket is readable: EOF) are
 * replaced here, so the next job does not find them first. */
void pool_reap(worker_pool *p) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        pthread_mutex_lock(&p->lock);
        for (int i = 0; i < p->n; i++) {
            worker *w = &p->w[i];
            if (w->pid != pid || w->busy) continue;
            close(w->fd);
            w->fd = -1;
            w->pid = -1;
            p->restarts++;
            if (!spawn_worker(p, w)) serve_log("cannot replace a worker: %s", strerror(errno));
            pthread_cond_signal(&p->idle);
        }
        pthread_mutex_unlock(&p->lock);
    }
}

int pool_size(const worker_pool *p) { return p->n; }
uint64_t pool_restarts(const worker_pool *p) { return p->restarts; }

void pool_stop(worker_pool *p) {
    if (!p) return;
    for (int i = 0; i < p->n; i++) kill_worker(&p->w[i]);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* ---- worker side ----------------------------------------------------------------- */

typedef struct worker_state {
    airlock_runtime *granted; /* the server's grants */
    airlock_runtime *bare;    /* no grants (profiles with grants=none) */
} worker_state;

static airlock_runtime *make_runtime(const cli_options *cli, bool with_grants) {
    airlock_runtime *rt = NULL;
    if (airlock_runtime_new(&rt) != AIRLOCK_OK) return NULL;
    int rc = airlock_runtime_set_limits(rt, &cli->limits);
    if (rc == AIRLOCK_OK) rc = options_apply_guest(cli, rt);
    if (rc == AIRLOCK_OK && with_grants && (grants_apply(cli, rt) >= 0 || plugins_apply(cli, rt) >= 0))
        rc = AIRLOCK_DENIED;
    /* The first sandbox builds the snapshot and reads this thread's stack
     * bounds from /proc: do both before the process is confined. */
    airlock_sandbox *warm = NULL;
    const char *why = airlock_runtime_errmsg(rt);
    if (rc == AIRLOCK_OK && (rc = airlock_sandbox_new(rt, &warm)) != AIRLOCK_OK) why = airlock_sandbox_errmsg(warm);
    if (rc != AIRLOCK_OK) serve_log("worker: %s", why);
    airlock_sandbox_free(warm);
    if (rc != AIRLOCK_OK) {
        airlock_runtime_free(rt);
        return NULL;
    }
    return rt;
}

static airlock_limits header_limits(json_t *hdr) {
    airlock_limits l = {.size = sizeof(airlock_limits)};
    json_int_t mem = 0, fuel = 0, out = 0;
    double timeout = 0;
    int stops = 0;
    json_unpack(hdr, "{s:{s?I, s?I, s?F, s?I, s?b}}", "limits", "memory", &mem, "fuel", &fuel, "timeout", &timeout,
                "max_output", &out, "output_stops", &stops);
    l.memory_bytes = mem > 0 ? (uint64_t)mem : 0;
    l.fuel = fuel > 0 ? (uint64_t)fuel : 0;
    l.timeout_seconds = timeout > 0 ? timeout : 0;
    l.max_output_bytes = out > 0 ? (uint64_t)out : 0;
    l.output_overflow_stops = stops;
    return l;
}

/* A report for a job that could not run at all (a bad session image). */
static json_t *refusal(const char *type, const char *message) {
    return json_pack("{s:b, s:s, s:s, s:n, s:{s:s, s:s, s:s}, s:n, s:{}}", "ok", 0, "stdout", "", "stderr", "",
                     "result", "error", "type", type, "message", message, "traceback", "", "limit", "stats");
}

static void run_job(worker_state *ws, json_t *hdr, const char *image, uint32_t image_len, int fd) {
    const char *code = NULL;
    size_t code_len = 0;
    int grants = 0, want_image = 0;
    json_unpack(hdr, "{s:s%, s?b, s?b}", "code", &code, &code_len, "grants", &grants, "want_image", &want_image);
    airlock_runtime *rt = grants ? ws->granted : ws->bare;
    airlock_sandbox *sb = NULL;
    json_t *report = NULL;
    void *saved = NULL;
    size_t saved_len = 0;
    int rc = image_len ? airlock_sandbox_load_buffer(rt, image, image_len, &sb) : airlock_sandbox_new(rt, &sb);
    airlock_limits lim = header_limits(hdr);
    if (rc == AIRLOCK_OK) rc = airlock_sandbox_set_limits(sb, &lim);
    if (!code) {
        report = refusal("SandboxError", "the job carried no code");
    } else if (rc != AIRLOCK_OK) {
        report = refusal("SessionError", sb ? airlock_sandbox_errmsg(sb) : "out of memory");
    } else {
        rc = airlock_sandbox_exec(sb, code, code_len);
        report = report_json(sb, rc);
        if (want_image && rc == AIRLOCK_OK && airlock_sandbox_save_buffer(sb, &saved, &saved_len) != AIRLOCK_OK)
            saved_len = 0;
    }
    char *text = report ? json_dumps(report, JSON_COMPACT) : NULL;
    json_decref(report);
    if (!text || !ipc_send(fd, text, (uint32_t)strlen(text), saved, (uint32_t)saved_len)) _exit(1);
    free(text);
    airlock_buffer_free(saved);
    airlock_sandbox_free(sb);
}

int serve_worker_main(const cli_options *cli, int fd) {
    /* A listener killed with SIGKILL takes its workers with it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) return 1;
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, SIG_IGN); /* the listener ends us by closing the socket */
    worker_state ws = {make_runtime(cli, true), make_runtime(cli, false)};
    if (!ws.granted || !ws.bare) return 1;
    os_sandbox_enter(cli, "airlock serve worker");
    char *hdr_text, *image;
    uint32_t hlen, ilen;
    while (ipc_recv(fd, &hdr_text, &hlen, &image, &ilen, IPC_MAX)) {
        json_t *hdr = json_loadb(hdr_text, hlen, 0, NULL);
        free(hdr_text);
        if (!hdr) _exit(1);
        if (!ipc_ack(fd)) _exit(1);
        run_job(&ws, hdr, image, ilen, fd);
        json_decref(hdr);
        free(image);
    }
    airlock_runtime_free(ws.granted);
    airlock_runtime_free(ws.bare);
    return 0;
}
