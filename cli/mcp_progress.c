/*
 * mcp_progress.c - MCP progress notifications while run_python runs.
 *
 * When a tools/call carries `_meta.progressToken`, the guest's output goes
 * to the client as `notifications/progress` while the code runs: progress
 * is the number of output bytes so far (it only grows, as the specification
 * requires of it), message the text written since the previous
 * notification (its last MESSAGE_CAP bytes). Without a token nothing is
 * sent.
 *
 * Output arrives on the executing thread (the exec's airlock_output_fn). A
 * notification goes out at most every INTERVAL seconds; what that holds
 * back is sent by the run watcher's tick (mcp_watch.c) once the interval
 * has passed, so output followed by a long computation is not kept from the
 * client until the run ends. Both threads take the lock below; the
 * protocol stream itself is shared with the watcher's ping replies, and
 * mcp_write_message() writes each message whole under the stream's lock.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "mcp_internal.h"
#include "report.h"

#define INTERVAL 0.1          /* seconds between two notifications, at least */
#define MESSAGE_CAP 2000      /* bytes of text one notification carries, at most */

struct mcp_progress {
    pthread_mutex_t lock;
    FILE *out;
    json_t *token;
    uint64_t total;           /* output bytes so far */
    uint64_t sent;            /* the progress of the last notification */
    double last;              /* when it went out (mcp_now) */
    char pending[2 * MESSAGE_CAP];
    size_t pending_len;       /* text not sent yet: its last MESSAGE_CAP bytes at least */
};

mcp_progress *progress_start(FILE *out, json_t *token) {
    if (!out || !(json_is_string(token) || json_is_integer(token))) return NULL;
    mcp_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    pthread_mutex_init(&p->lock, NULL);
    p->out = out;
    p->token = json_incref(token);
    p->last = -INTERVAL;
    return p;
}

/* Send what is pending (lock held), if anything is and the interval passed. */
static void send_due(mcp_progress *p) {
    double now = mcp_now();
    if (p->total == p->sent || now - p->last < INTERVAL) return;
    size_t skip = p->pending_len > MESSAGE_CAP ? p->pending_len - MESSAGE_CAP : 0;
    json_t *msg = json_pack("{s:s, s:s, s:{s:O, s:I, s:o}}", "jsonrpc", "2.0", "method", "notifications/progress",
                            "params", "progressToken", p->token, "progress", (json_int_t)p->total, "message",
                            json_bytes(p->pending + skip, p->pending_len - skip));
    mcp_write_message(p->out, msg); /* a client gone: the main loop will see */
    p->sent = p->total;
    p->last = now;
    p->pending_len = 0;
}

void progress_output(void *userdata, int stream, const char *data, size_t len) {
    (void)stream;
    mcp_progress *p = userdata;
    pthread_mutex_lock(&p->lock);
    p->total += len;
    /* keep the newest text: only the last MESSAGE_CAP bytes are ever sent */
    if (len >= MESSAGE_CAP) {
        memcpy(p->pending, data + len - MESSAGE_CAP, MESSAGE_CAP);
        p->pending_len = MESSAGE_CAP;
    } else {
        if (p->pending_len + len > sizeof p->pending) {
            size_t keep = MESSAGE_CAP - len;
            memmove(p->pending, p->pending + p->pending_len - keep, keep);
            p->pending_len = keep;
        }
        memcpy(p->pending + p->pending_len, data, len);
        p->pending_len += len;
    }
    send_due(p);
    pthread_mutex_unlock(&p->lock);
}

void progress_tick(mcp_progress *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    send_due(p);
    pthread_mutex_unlock(&p->lock);
}

void progress_stop(mcp_progress *p) {
    if (!p) return;
    pthread_mutex_destroy(&p->lock);
    json_decref(p->token);
    free(p);
}
