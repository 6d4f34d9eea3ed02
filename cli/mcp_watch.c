/*
 * mcp_watch.c - cancelling a run from the client.
 *
 * The server answers one request at a time, so while Python runs nobody
 * reads stdin, and a `notifications/cancelled` (sent when the user stops
 * the agent, or when the client's own request timeout fires) would only be
 * seen after the run ended on its own. A helper thread therefore reads
 * stdin during each run into the same buffer the main loop uses, looks at
 * each complete line without consuming it, and interrupts the sandbox when
 * the running request is cancelled. A `ping` cannot wait either (clients
 * take a silent server for a dead one): the helper answers it and blanks
 * its line, which the main loop then skips. The main thread neither touches
 * the reader nor writes to the protocol stream until the helper has been
 * joined, so neither needs a lock.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcp_internal.h"

#define WATCH_TICK_MS 50 /* how often the stop flag is looked at */

struct mcp_watch {
    pthread_t thread;
    line_reader *r;
    FILE *out;
    json_t *id;
    airlock_sandbox *sb;
    mcp_progress *progress;
    atomic_bool stop;
    bool cancelled;
};

/* Is this line a notifications/cancelled for our request? */
static bool cancels(const char *line, size_t n, json_t *id) {
    static const char needle[] = "notifications/cancelled";
    if (!memmem(line, n, needle, sizeof needle - 1)) return false; /* cheap test first */
    json_t *msg = json_loadb(line, n, JSON_ALLOW_NUL, NULL);
    json_t *method = json_object_get(msg, "method");
    bool yes = json_is_string(method) && strcmp(json_string_value(method), needle) == 0 &&
               !json_object_get(msg, "id") &&
               json_equal(json_object_get(json_object_get(msg, "params"), "requestId"), id);
    json_decref(msg);
    return yes;
}

/* Look at the complete lines not seen yet. */
static void scan(mcp_watch *w) {
    line_reader *r = w->r;
    if (r->watched < r->start) r->watched = r->start;
    char *nl;
    while (r->len > r->watched && (nl = memchr(r->buf + r->watched, '\n', r->len - r->watched))) {
        size_t end = (size_t)(nl - r->buf);
        char *line = r->buf + r->watched;
        size_t n = end - r->watched;
        json_t *reply = mcp_reply_during_run(line, n);
        if (reply) {
            memset(line, ' ', n);
            mcp_write_message(w->out, reply); /* a closed stdout: the main loop will see */
        } else if (!w->cancelled && cancels(line, n, w->id)) {
            w->cancelled = true;
            mcp_log("request cancelled by the client; interrupting the run");
            /* Once: an interrupt sent before the run starts still stops it,
             * and a second one would stop the session's next run. */
            airlock_sandbox_interrupt(w->sb);
        }
        r->watched = end + 1;
    }
}

static void *watch_main(void *arg) {
    mcp_watch *w = arg;
    bool reading = true;
    scan(w); /* a cancellation may already be waiting */
    while (!atomic_load(&w->stop)) {
        progress_tick(w->progress);
        if (!reading) {
            struct timespec ts = {0, WATCH_TICK_MS * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        int rc = reader_read(w->r, WATCH_TICK_MS);
        if (rc > 0) scan(w);
        else if (rc < 0) reading = false; /* end of input or full: the main loop will see */
    }
    return NULL;
}

mcp_watch *watch_start(line_reader *r, FILE *out, json_t *id, airlock_sandbox *sb, mcp_progress *progress) {
    if (!r || !out || !id) return NULL;
    mcp_watch *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->r = r;
    w->out = out;
    w->id = id;
    w->sb = sb;
    w->progress = progress;
    atomic_init(&w->stop, false);
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        free(w);
        return NULL;
    }
    return w;
}

bool watch_stop(mcp_watch *w) {
    if (!w) return false;
    atomic_store(&w->stop, true);
    pthread_join(w->thread, NULL);
    bool cancelled = w->cancelled;
    free(w);
    return cancelled;
}
