/*
 * mcp_session.c - named sandboxes for the MCP server.
 *
 * An agent keeps state across tool calls by naming a session. Each session
 * is a whole interpreter (tens of MiB of guest memory), so the table is
 * capped: when full, the least recently used session is dropped, and any
 * session left idle for too long is dropped too. The table is small (a few
 * dozen entries at most in practice), so a flat array with linear search
 * is both the simplest and the fastest structure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mcp_internal.h"

typedef struct session {
    char *name;
    airlock_sandbox *sb;
    double last_used; /* mcp_now() */
} session;

struct mcp_sessions {
    airlock_runtime *rt;
    session *items;
    size_t count, max;
    double idle;
    char errmsg[512]; /* why the last session could not be created */
};

double mcp_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

mcp_sessions *sessions_new(airlock_runtime *rt, size_t max, double idle_seconds) {
    mcp_sessions *ss = calloc(1, sizeof *ss);
    if (!ss) return NULL;
    ss->items = calloc(max, sizeof *ss->items);
    if (!ss->items) {
        free(ss);
        return NULL;
    }
    ss->rt = rt;
    ss->max = max;
    ss->idle = idle_seconds;
    return ss;
}

/* Free entry i and close the gap (order does not matter). */
static void drop(mcp_sessions *ss, size_t i) {
    airlock_sandbox_free(ss->items[i].sb);
    free(ss->items[i].name);
    ss->items[i] = ss->items[--ss->count];
}

void sessions_free(mcp_sessions *ss) {
    if (!ss) return;
    while (ss->count) drop(ss, 0);
    free(ss->items);
    free(ss);
}

static session *find(mcp_sessions *ss, const char *name, size_t *index) {
    for (size_t i = 0; i < ss->count; i++) {
        if (strcmp(ss->items[i].name, name) == 0) {
            if (index) *index = i;
            return &ss->items[i];
        }
    }
    return NULL;
}

static void evict_lru(mcp_sessions *ss) {
    size_t oldest = 0;
    for (size_t i = 1; i < ss->count; i++)
        if (ss->items[i].last_used < ss->items[oldest].last_used) oldest = i;
    mcp_log("session '%s' evicted (limit of %zu sessions reached)", ss->items[oldest].name, ss->max);
    drop(ss, oldest);
}

airlock_sandbox *sessions_get(mcp_sessions *ss, const char *name, bool *created, const char **err) {
    session *s = find(ss, name, NULL);
    *created = s == NULL;
    if (s) {
        s->last_used = mcp_now();
        return s->sb;
    }
    airlock_sandbox *sb = NULL;
    char *copy = strdup(name);
    if (!copy || airlock_sandbox_new(ss->rt, &sb) != AIRLOCK_OK) {
        snprintf(ss->errmsg, sizeof ss->errmsg, "%s", copy ? airlock_sandbox_errmsg(sb) : "out of memory");
        *err = ss->errmsg;
        airlock_sandbox_free(sb);
        free(copy);
        return NULL;
    }
    if (ss->count == ss->max) evict_lru(ss);
    ss->items[ss->count++] = (session){copy, sb, mcp_now()};
    return sb;
}

void sessions_touch(mcp_sessions *ss, const char *name) {
    session *s = find(ss, name, NULL);
    if (s) s->last_used = mcp_now();
}

bool sessions_reset(mcp_sessions *ss, const char *name) {
    size_t i;
    if (!find(ss, name, &i)) return false;
    drop(ss, i);
    return true;
}

void sessions_expire(mcp_sessions *ss) {
    double now = mcp_now();
    for (size_t i = 0; i < ss->count;) {
        if (now - ss->items[i].last_used >= ss->idle) {
            mcp_log("session '%s' expired (idle for %.0f s)", ss->items[i].name, ss->idle);
            drop(ss, i); /* moves the last entry into i: look at i again */
        } else {
            i++;
        }
    }
}

int sessions_next_expiry_ms(const mcp_sessions *ss) {
    if (!ss->count) return -1;
    double first = ss->items[0].last_used;
    for (size_t i = 1; i < ss->count; i++)
        if (ss->items[i].last_used < first) first = ss->items[i].last_used;
    double ms = (first + ss->idle - mcp_now()) * 1000.0;
    if (ms < 0) return 0;
    /* +1 so that the wake-up lands after the deadline, not just before. */
    return ms > 3600e3 ? 3600000 : (int)ms + 1;
}

size_t sessions_count(const mcp_sessions *ss) {
    return ss->count;
}
