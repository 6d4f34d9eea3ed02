/*
 * sqlite_mem.c - SQLite's allocator: every block is charged to the sandbox
 * whose call made it, and refused once that call must stop.
 *
 * Why an allocator: SQLite looks at its progress handler, and at
 * sqlite3_interrupt(), only where its program jumps, so one stretch of a
 * statement without a loop (999 result columns, each upper() of a 2 MiB
 * value) ran 9-12 s past --timeout 1, and nothing in the library is called
 * inside such a stretch but the allocator: each function result, each value
 * read from a page chain, each sort buffer is a malloc. Refusing it makes
 * SQLite fail the statement with SQLITE_NOMEM at once, with everything it
 * holds released as for any out-of-memory (which SQLite is tested to
 * survive at every allocation); c->stop_reason tells sq_raise() it was a
 * stop, not a shortage. The same count caps what SQLite holds for a
 * sandbox (page caches, statements, unfinished cursors' rows) at the
 * sandbox's memory limit: before, 8 connections x 32 cursors held 279 MB
 * outside --memory.
 *
 * Page fetches are checked the same way (below). Each block carries a 16-byte header: its size and the budget it is
 * charged to, so that a free on any thread credits the right sandbox. A
 * budget lives while a connection or a block holds it.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "plugins/sqlite_int.h"

typedef struct {
    sq_budget *budget; /* NULL: made outside any sandbox's call */
    size_t size;
} block;
_Static_assert(sizeof(block) == 16, "the header keeps malloc's 16-byte alignment");

/* The connection this thread's SQLite calls are made for, if any. */
static _Thread_local sq_conn *owner;

sq_budget *sq_budget_new(void) {
    sq_budget *b = calloc(1, sizeof *b);
    if (b) atomic_init(&b->holds, 1);
    return b;
}

void sq_budget_hold(sq_budget *b) { atomic_fetch_add(&b->holds, 1); }

void sq_budget_release(sq_budget *b) {
    if (b && atomic_fetch_sub(&b->holds, 1) == 1) free(b);
}

void sq_mem_enter(sq_conn *c) {
    const airlock_vm *vm = host_calling_vm();
    if (vm) c->budget->cap = vm->mem_limit; /* the limit of the execution in progress */
    owner = c;
}

void sq_mem_leave(void) { owner = NULL; }

void sq_mem_forget(const sq_conn *c) {
    if (owner == c) owner = NULL;
}

/* May c's sandbox have n more bytes of heap now? If not, record why. */
static bool admit(sq_conn *c, size_t n) {
    int stop = host_stop_pending();
    if (stop == AIRLOCK_LIMIT_NONE && atomic_load(&c->budget->heap_bytes) + n > c->budget->cap)
        stop = AIRLOCK_LIMIT_MEMORY;
    if (stop == AIRLOCK_LIMIT_NONE) return true;
    c->stop_reason = stop;
    return false;
}

static void charge(sq_budget *b, size_t n) {
    if (!b) return;
    atomic_fetch_add(&b->heap_bytes, n);
    sq_budget_hold(b);
}

static void credit(sq_budget *b, size_t n) {
    if (!b) return;
    atomic_fetch_sub(&b->heap_bytes, n);
    sq_budget_release(b);
}

static void *mem_malloc(int n) {
    sq_conn *c = owner;
    if (n < 0 || (c && !admit(c, (size_t)n))) return NULL;
    block *b = malloc(sizeof *b + (size_t)n);
    if (!b) return NULL;
    *b = (block){c ? c->budget : NULL, (size_t)n};
    charge(b->budget, b->size);
    return b + 1;
}

static void mem_free(void *p) {
    if (!p) return;
    block *b = (block *)p - 1;
    credit(b->budget, b->size);
    free(b);
}

/* A block keeps the budget it was charged to; growing it is admitted like
 * a new allocation of the difference. */
static void *mem_realloc(void *p, int n) {
    block *b = (block *)p - 1;
    size_t old = b->size;
    sq_conn *c = owner;
    if (n < 0 || ((size_t)n > old && c && !admit(c, (size_t)n - old))) return NULL;
    block *grown = realloc(b, sizeof *grown + (size_t)n);
    if (!grown) return NULL;
    grown->size = (size_t)n;
    if (grown->budget) {
        atomic_fetch_add(&grown->budget->heap_bytes, (size_t)n); /* unsigned: wraps back by old below */
        atomic_fetch_sub(&grown->budget->heap_bytes, old);
    }
    return grown + 1;
}

static int mem_size(void *p) { return p ? (int)((block *)p - 1)->size : 0; }

static int mem_roundup(int n) { return (n + 7) & ~7; }

static int mem_init(void *unused) {
    (void)unused;
    return SQLITE_OK;
}

static void mem_shutdown(void *unused) { (void)unused; }

static const sqlite3_mem_methods mem_methods = {
    mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
};

/* ---- the page cache -------------------------------------------------------------------
 * The one thing SQLite does often without allocating: reading a value it
 * had read before into a register already big enough (999 columns of
 * x + 1 read a 2 MiB x each time, page by page). Each page fetch is a
 * check too; refused, SQLite fails the statement with SQLITE_NOMEM. */

static sqlite3_pcache_methods2 default_pcache;

static sqlite3_pcache_page *pcache_fetch(sqlite3_pcache *cache, unsigned key, int create) {
    sq_conn *c = owner;
    if (c && !admit(c, 0)) return NULL;
    return default_pcache.xFetch(cache, key, create);
}

bool sq_mem_install(void) {
    if (SQ.config(SQLITE_CONFIG_MALLOC, &mem_methods) != SQLITE_OK ||
        SQ.config(SQLITE_CONFIG_GETPCACHE2, &default_pcache) != SQLITE_OK || !default_pcache.xFetch)
        return false;
    static sqlite3_pcache_methods2 checked;
    checked = default_pcache;
    checked.xFetch = pcache_fetch;
    return SQ.config(SQLITE_CONFIG_PCACHE2, &checked) == SQLITE_OK;
}
